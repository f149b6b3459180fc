import type { Phrase } from '@/lib/i18n/render';
import { phrase } from '@/lib/i18n/text';
import { decodeOAuthChallenge } from './classify-failure';
import { obtainSignIn, xoauth2Response, type SignIn } from './credentials';
import { codedError, type LineConnection } from '@/lib/net/line-connection';
import { closeGently, openServer, readImapTagged, type TestContext } from './open-server';
import { runStep } from './run-step';

const SIGN_IN_TAG = 'T2';
const EXAMINE_TAG = 'T3';

/** The lines worth showing from a response: the untagged capability list a server volunteers says nothing about a refusal. */
const replyOf = (lines: string[]) => lines.filter((line) => !/^\* CAPABILITY /i.test(line)).join('\n');

const offers = (capabilities: string[], capability: string) => capabilities.some((listed) => listed.toUpperCase() === capability);

/** RFC 7628's initial client response, for servers that offer OAUTHBEARER but not XOAUTH2. */
function oauthBearerResponse(user: string, accessToken: string): string {
  return Buffer.from(`n,a=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}

/**
 * An IMAP string argument (RFC 3501): a quoted string when it is plain ASCII, otherwise a literal,
 * which carries any byte (a password with quotes, backslashes or accents is sent as typed).
 */
function imapString(value: string): { quoted: string } | { literal: Buffer } {
  if (/^[\x20-\x7e]*$/.test(value)) return { quoted: `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"` };
  return { literal: Buffer.from(value, 'utf8') };
}

/** Sends a command whose arguments may be literals, waiting for the server's go-ahead (`+`) before each literal's bytes. */
async function sendWithLiterals(connection: LineConnection, parts: (string | { quoted: string } | { literal: Buffer })[], timeoutMs: number): Promise<string[] | null> {
  let pending = '';
  for (const part of parts) {
    if (typeof part === 'string') pending += part;
    else if ('quoted' in part) pending += part.quoted;
    else {
      connection.write(`${pending}{${part.literal.length}}`);
      const answer = await connection.readLine(timeoutMs);
      // A tagged answer instead of the go-ahead ends the command there.
      if (!answer.startsWith('+')) return [answer];
      connection.writeRaw(part.literal);
      pending = '';
    }
  }
  connection.write(pending);
  return null;
}

/** Signs in on the verified connection: AUTHENTICATE XOAUTH2 (or OAUTHBEARER), or LOGIN with a password. */
async function authenticate(connection: LineConnection, signIn: SignIn, capabilities: string[], timeoutMs: number): Promise<Phrase> {
  if ('accessToken' in signIn) {
    const xoauth2 = offers(capabilities, 'AUTH=XOAUTH2');
    const mechanism = xoauth2 ? 'XOAUTH2' : 'OAUTHBEARER';
    const response = xoauth2 ? xoauth2Response(signIn.user, signIn.accessToken) : oauthBearerResponse(signIn.user, signIn.accessToken);
    if (offers(capabilities, 'SASL-IR')) {
      connection.write(`${SIGN_IN_TAG} AUTHENTICATE ${mechanism} ${response}`);
    } else {
      connection.write(`${SIGN_IN_TAG} AUTHENTICATE ${mechanism}`);
      const ready = await connection.readLine(timeoutMs);
      if (!ready.startsWith('+')) throw codedError('EAUTH', ready, { reply: ready });
      connection.write(response);
    }
    const answer = await connection.readLine(timeoutMs);
    if (answer.startsWith('+')) {
      // A refused token first brings the server's JSON challenge; acknowledging it brings the tagged NO.
      const challenge = decodeOAuthChallenge(answer);
      connection.write(xoauth2 ? '' : Buffer.from('\x01').toString('base64'));
      const rest = await readImapTagged(connection, SIGN_IN_TAG, timeoutMs);
      throw codedError('EAUTH', rest.at(-1)!, { reply: replyOf([answer, ...rest]), challenge });
    }
    const lines = answer.startsWith(`${SIGN_IN_TAG} `) ? [answer] : [answer, ...(await readImapTagged(connection, SIGN_IN_TAG, timeoutMs))];
    const status = lines.at(-1)!;
    if (!status.startsWith(`${SIGN_IN_TAG} OK`)) throw codedError('EAUTH', status, { reply: replyOf(lines) });
    return phrase('tester.details.signedIn', { user: signIn.user, mechanism, reply: status });
  }
  const early = await sendWithLiterals(connection, [`${SIGN_IN_TAG} LOGIN `, imapString(signIn.user), ' ', imapString(signIn.pass)], timeoutMs);
  const lines = early ?? (await readImapTagged(connection, SIGN_IN_TAG, timeoutMs));
  const status = lines.at(-1)!;
  if (!status.startsWith(`${SIGN_IN_TAG} OK`)) throw codedError('EAUTH', status, { reply: replyOf(lines) });
  return phrase('tester.details.signedInWithPassword', { user: signIn.user, reply: status });
}

/**
 * IMAP: the shared connection steps, then sign-in and EXAMINE INBOX spoken by the tester itself on
 * that same connection, whose certificate the TLS step verified: the token or password never
 * travels on a connection that was not checked.
 */
export async function checkImap(context: TestContext): Promise<void> {
  const { connection, capabilities } = await openServer('imap', context);
  const { timeoutMs } = context;
  try {
    const signIn = await obtainSignIn('imap', context);
    await runStep({ name: 'authentication', stage: 'auth', protocol: 'imap', context }, async () => ({
      value: undefined,
      detail: await authenticate(connection, signIn, capabilities, timeoutMs),
    }));
    await runStep({ name: 'openInbox', stage: 'command', protocol: 'imap', context }, async () => {
      connection.write(`${EXAMINE_TAG} EXAMINE INBOX`);
      const lines = await readImapTagged(connection, EXAMINE_TAG, timeoutMs);
      const status = lines.at(-1)!;
      if (!status.startsWith(`${EXAMINE_TAG} OK`)) throw codedError('EPROTO', status, { reply: replyOf(lines) });
      const exists = Number(/^\* (\d+) EXISTS/i.exec(lines.find((line) => /^\* \d+ EXISTS/i.test(line)) ?? '')?.[1] ?? Number.NaN);
      return { value: undefined, detail: Number.isNaN(exists) ? phrase('tester.details.inboxCountUnknown') : phrase('tester.details.inboxCount', { count: exists }) };
    });
  } finally {
    await closeGently('imap', connection);
  }
}
