/**
 * Certificates made by `openssl` for the registration-trust tests: a CA per entity (its subject's
 * O is the entity's name), leaf certificates it signs (DNS localhost, IP 127.0.0.1, serverAuth and
 * clientAuth), all EC P-256 in PEM files under one folder.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Issued {
  cert: string;
  key: string;
  /** The PEM texts, for TLS clients. */
  certPem: string;
  keyPem: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function issued(cert: string, key: string): Issued {
  return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

/** A self-signed CA `<name>-ca.pem` whose subject names `organization` (the entity). */
export function makeCa(dir: string, name: string, organization = name): Issued {
  const cert = join(dir, `${name}-ca.pem`);
  const key = join(dir, `${name}-ca-key.pem`);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    `/O=${organization}/CN=${name} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return issued(cert, key);
}

export interface LeafOptions {
  organization?: string;
  /** Extended key usages; default both TLS ones. */
  extendedKeyUsage?: string;
}

/** A leaf `<name>.pem` signed by `ca`, for a server or client on 127.0.0.1. */
export function makeLeaf(
  dir: string,
  name: string,
  ca: Pick<Issued, 'cert' | 'key'>,
  options: LeafOptions = {},
) {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  const subject =
    options.organization === undefined ? `/CN=${name}` : `/O=${options.organization}/CN=${name}`;
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    request,
    '-subj',
    subject,
  ]);
  writeFileSync(
    extensions,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${options.extendedKeyUsage ?? 'serverAuth,clientAuth'}`,
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-extfile',
    extensions,
    '-days',
    '30',
  ]);
  return issued(cert, key);
}
