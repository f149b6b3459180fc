/**
 * The address an XOAUTH2 or OAUTHBEARER initial response signs in as, lowercased, or null when the
 * response is neither. Fronts need it to apply an account's faults before Dovecot answers.
 */
export function saslUser(options: { mechanism: string; response: string }): string | null {
  const decoded = Buffer.from(options.response, 'base64').toString('utf8');
  const user =
    options.mechanism.toUpperCase() === 'OAUTHBEARER'
      ? // RFC 7628's GS2 header, with RFC 5801's escapes of "," and "=".
        /^n,a=([^,]*),/.exec(decoded)?.[1]?.replaceAll('=2C', ',').replaceAll('=3D', '=')
      : /^user=([^\x01]*)\x01/.exec(decoded)?.[1];
  return user ? user.toLowerCase() : null;
}
