// The authorization server's own pages. They load nothing from outside the lab, so that a browser
// driven through them in a test stays on loopback.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(options: { title: string; body: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f5;margin:0;padding:40px 16px}
main{max-width:380px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4em;font-weight:500;margin-top:0}
label,input,button{display:block;width:100%;box-sizing:border-box;font-size:1em}
input{padding:8px;margin:6px 0 14px}
button{padding:9px;margin-top:8px;cursor:pointer}
.error{color:#b91c1c}
.lab{color:#71717a;font-size:.85em}
code{font-size:1.4em}
</style>
</head>
<body><main>
${options.body}
<p class="lab">Mailroom mail lab: nothing here leaves this machine.</p>
</main></body>
</html>`;
}

export function loginPage(options: { providerTitle: string; action: string; accounts: string[]; error: string | null }): string {
  const suggestions = options.accounts.map((email) => `<option value="${escapeHtml(email)}">`).join('');
  return page({
    title: `Sign in - ${options.providerTitle}`,
    body: `<h1>Sign in to ${escapeHtml(options.providerTitle)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" list="lab-accounts" autocomplete="off" required autofocus>
<datalist id="lab-accounts">${suggestions}</datalist>
<button type="submit">Next</button>
</form>`,
  });
}

export function consentPage(options: {
  providerTitle: string;
  action: string;
  clientName: string;
  account: string;
  scopes: string[];
}): string {
  const scopes = options.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page({
    title: `Consent - ${options.providerTitle}`,
    body: `<h1>${escapeHtml(options.clientName)} wants to access your account</h1>
<p>Signed in as <strong>${escapeHtml(options.account)}</strong>. This will allow it to:</p>
<ul>${scopes}</ul>
<form method="post" action="${escapeHtml(options.action)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>`,
  });
}

export function deviceInputPage(options: { form: string; error: boolean }): string {
  return page({
    title: 'Enter the code',
    body: `<h1>Enter the code shown on your device</h1>
${options.error ? '<p class="error" role="alert">That code did not work. Check it and try again.</p>' : ''}
${options.form}
<button type="submit" form="op.deviceInputForm">Next</button>`,
  });
}

export function deviceConfirmPage(options: { form: string; clientName: string; userCode: string }): string {
  return page({
    title: 'Confirm the device',
    body: `<h1>Sign in on ${escapeHtml(options.clientName)}?</h1>
<p>Continue only if your device shows this code:</p>
<p><code>${escapeHtml(options.userCode)}</code></p>
${options.form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
  });
}

export function deviceSuccessPage(options: { clientName: string }): string {
  return page({
    title: 'Signed in',
    body: `<h1>You signed in on ${escapeHtml(options.clientName)}</h1><p>You can close this window.</p>`,
  });
}

/** Microsoft's admin consent: an administrator of the tenant grants the app's permissions for everyone in it. */
export function adminConsentPage(options: { action: string; clientName: string; error: string | null }): string {
  return page({
    title: 'Permissions requested - Microsoft (lab)',
    body: `<h1>${escapeHtml(options.clientName)} needs permission to access resources in your organization that only an admin can grant</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}">
<label for="email">Administrator's email</label>
<input id="email" name="email" type="email" autocomplete="off" required autofocus>
<button type="submit" name="decision" value="allow">Accept for your organization</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>`,
  });
}

export function adminConsentDonePage(options: { clientName: string; granted: boolean }): string {
  return page({
    title: options.granted ? 'Permissions granted' : 'No permissions granted',
    body: options.granted
      ? `<h1>Permissions granted</h1><p>${escapeHtml(options.clientName)} can now be used by everyone in your organization.</p>`
      : `<h1>No permissions granted</h1><p>${escapeHtml(options.clientName)} still needs an admin's consent.</p>`,
  });
}

export function errorPage(options: { fields: Record<string, string | undefined> }): string {
  const rows = Object.entries(options.fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
    .join('');
  return page({ title: 'Something went wrong', body: `<h1>Something went wrong</h1>${rows}` });
}
