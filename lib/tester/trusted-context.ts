import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * TLS options that trust Node's bundled roots plus `trustedCertificates`. Building a context from
 * ~150 root certificates costs about a hundred milliseconds of CPU, so each set of certificates
 * gets one context, made once and shared by every connection.
 */
export function trustOptions(trustedCertificates: string[]): { secureContext?: SecureContext } {
  if (trustedCertificates.length === 0) return {};
  const key = trustedCertificates.join('\n');
  let context = contexts.get(key);
  if (!context) {
    // Passing `ca` replaces Node's store, so the extra certificates come with the bundled roots.
    context = createSecureContext({ ca: [...rootCertificates, ...trustedCertificates] });
    contexts.set(key, context);
  }
  return { secureContext: context };
}
