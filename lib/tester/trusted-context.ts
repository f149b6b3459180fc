import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { getEnv } from '@/lib/env';

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

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let extraCertificates: Promise<string[]> | undefined;

async function readCertificateFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`MAILROOM_EXTRA_CA_FILE: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new Error(`MAILROOM_EXTRA_CA_FILE: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const [index, certificate] of certificates.entries()) {
    try {
      new X509Certificate(certificate);
    } catch {
      throw new Error(`MAILROOM_EXTRA_CA_FILE: certificate ${index + 1} of ${file} is not a valid X.509 certificate`);
    }
  }
  return certificates;
}

/**
 * The certificates of MAILROOM_EXTRA_CA_FILE, read once per process (a file that cannot be read is
 * tried again next time). Only these are passed: wherever a connection sets `ca`, which replaces
 * Node's store, it puts them after `tls.rootCertificates` itself.
 */
export function getTrustedCertificates(): Promise<string[]> {
  const file = getEnv().MAILROOM_EXTRA_CA_FILE;
  if (!file) return Promise.resolve([]);
  if (!extraCertificates) {
    const reading = readCertificateFile(file);
    extraCertificates = reading;
    reading.catch(() => {
      if (extraCertificates === reading) extraCertificates = undefined;
    });
  }
  return extraCertificates;
}
