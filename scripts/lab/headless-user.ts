// Plays the person at the browser on the lab's own pages (sign-in, consent, device code), over
// plain HTTP, so that tests get real authorization codes and device approvals without a browser.

type FormField = { name: string; value: string; type: string };
type HtmlForm = { action: string; fields: FormField[] };

const MAX_STEPS = 25;

class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => /^\s*expires=.*1970/i.test(attribute)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function attributeOf(options: { tag: string; name: string }): string | undefined {
  const match = new RegExp(`\\b${options.name}="([^"]*)"`, 'i').exec(options.tag);
  return match?.[1]?.replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

function firstForm(html: string): HtmlForm | null {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return null;
  const fields = [...(match[2] ?? '').matchAll(/<(?:input|button)\b[^>]*>/gi)].flatMap(([tag]) => {
    const name = attributeOf({ tag, name: 'name' });
    return name
      ? [{ name, value: attributeOf({ tag, name: 'value' }) ?? '', type: attributeOf({ tag, name: 'type' }) ?? 'text' }]
      : [];
  });
  return { action: attributeOf({ tag: match[1] ?? '', name: 'action' }) ?? '', fields };
}

/** The values a person would type or click on each of the lab's pages. */
function fillForm(options: { form: HtmlForm; email: string; userCode?: string; consent: 'allow' | 'deny' }): URLSearchParams {
  const { form, email, userCode, consent } = options;
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.name === 'email') body.set('email', email);
    else if (field.name === 'user_code' && field.type !== 'hidden') body.set('user_code', userCode ?? '');
    else if (field.name === 'decision') body.set('decision', consent);
    else if (field.name !== 'abort') body.set(field.name, field.value);
  }
  // Declining a device code is the confirmation page's Cancel, before any sign-in.
  if (consent === 'deny' && body.has('confirm')) {
    body.delete('confirm');
    body.set('abort', 'yes');
  }
  return body;
}

async function walk(options: {
  startUrl: string;
  email: string;
  userCode?: string;
  consent: 'allow' | 'deny';
}): Promise<{ leftAt: URL | null; lastPage: string }> {
  const jar = new CookieJar();
  const origin = new URL(options.startUrl).origin;
  let request: { url: URL; body?: URLSearchParams } = { url: new URL(options.startUrl) };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await fetch(request.url, {
      method: request.body ? 'POST' : 'GET',
      headers: { cookie: jar.header(), ...(request.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: request.body,
      redirect: 'manual',
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.origin !== origin) return { leftAt: next, lastPage: '' };
      request = { url: next };
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`The lab answered ${response.status} at ${request.url.pathname}: ${page.slice(0, 300)}`);
    if (request.body?.has('abort')) return { leftAt: null, lastPage: page };
    const form = firstForm(page);
    if (!form) return { leftAt: null, lastPage: page };
    request = { url: new URL(form.action, request.url), body: fillForm({ form, ...options }) };
  }
  throw new Error(`Gave up after ${MAX_STEPS} pages starting at ${options.startUrl}`);
}

/**
 * Signs in as `email` and answers the consent page; returns the URL the authorization server
 * redirected to (the client's redirect URI with `code` or `error`).
 */
export async function authorizeAsUser(options: {
  authorizationUrl: string;
  email: string;
  consent?: 'allow' | 'deny';
}): Promise<URL> {
  const { leftAt, lastPage } = await walk({ startUrl: options.authorizationUrl, email: options.email, consent: options.consent ?? 'allow' });
  if (!leftAt) throw new Error(`The authorization server did not redirect back: ${lastPage.slice(0, 300)}`);
  return leftAt;
}

/** Enters `userCode` on the verification page, signs in as `email` and consents. */
export async function approveDeviceCode(options: { verificationUri: string; userCode: string; email: string }): Promise<void> {
  const { lastPage } = await walk({ startUrl: options.verificationUri, email: options.email, userCode: options.userCode, consent: 'allow' });
  if (!/You signed in/.test(lastPage)) throw new Error(`The device code was not approved: ${lastPage.slice(0, 300)}`);
}

/** Enters `userCode` on the verification page, signs in as `email` and declines the consent: the device's polls then answer access_denied. */
export async function denyDeviceCode(options: { verificationUri: string; userCode: string; email: string }): Promise<void> {
  await walk({ startUrl: options.verificationUri, email: options.email, userCode: options.userCode, consent: 'deny' });
}

/** Opens Microsoft's admin consent link, names `email` as the tenant's administrator and accepts for the organization. */
export async function grantAdminConsent(options: { adminConsentUrl: string; email: string }): Promise<void> {
  const { lastPage } = await walk({ startUrl: options.adminConsentUrl, email: options.email, consent: 'allow' });
  if (!/Permissions granted/.test(lastPage)) throw new Error(`The admin consent was not granted: ${lastPage.slice(0, 300)}`);
}
