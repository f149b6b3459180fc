import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type CertificateFiles = { certificatePath: string; keyPath: string; certificate: string; key: string };

export type TlsMaterial = {
  ca: CertificateFiles;
  /** Signed by the lab CA, for 127.0.0.1 and localhost. */
  server: CertificateFiles;
  /** Signed by itself, for the listeners that stand for a badly set-up internal server. */
  selfSigned: CertificateFiles;
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LOOPBACK_NAMES = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

async function readCertificateFiles(options: { directory: string; name: string }): Promise<CertificateFiles> {
  const certificatePath = join(options.directory, `${options.name}.pem`);
  const keyPath = join(options.directory, `${options.name}.key`);
  const [certificate, key] = await Promise.all([readFile(certificatePath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certificatePath, keyPath, certificate, key };
}

async function openssl(options: { directory: string; name: string; args: string[] }): Promise<CertificateFiles> {
  const files = { out: join(options.directory, `${options.name}.pem`), keyout: join(options.directory, `${options.name}.key`) };
  await run('openssl', ['req', ...EC_KEY, '-days', '30', '-keyout', files.keyout, '-out', files.out, ...options.args]);
  return readCertificateFiles({ directory: options.directory, name: options.name });
}

export async function createTlsMaterial(options: { directory: string }): Promise<TlsMaterial> {
  const { directory } = options;
  const [ca, selfSigned] = await Promise.all([
    openssl({
      directory,
      name: 'lab-ca',
      args: [
        '-x509',
        '-subj', '/O=Mailroom lab/CN=Mailroom lab CA',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ],
    }),
    openssl({
      directory,
      name: 'self-signed',
      args: ['-x509', '-subj', '/O=Internal mail server/CN=localhost', '-addext', LOOPBACK_NAMES],
    }),
  ]);
  const server = await openssl({
    directory,
    name: 'server',
    args: [
      '-x509',
      '-CA', ca.certificatePath,
      '-CAkey', ca.keyPath,
      '-subj', '/O=Mailroom lab/CN=localhost',
      '-addext', LOOPBACK_NAMES,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'extendedKeyUsage=serverAuth',
    ],
  });
  return { ca, server, selfSigned };
}
