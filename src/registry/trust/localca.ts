/**
 * The `localca` trust backend (upstream's LocalCA): the development root CA in the trust directory
 * (`ca.pem` and `ca-key.pem`, generated there when both are missing, the folder 0700 and the files
 * 0600). Any leaf that chains to it is trusted; its entity is the leaf's first O ('' without one).
 */
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '../../shared/errors.js';
import {
  certificatesOfPem,
  chainsToAnchor,
  isValidAt,
  subjectField,
  subjectText,
} from './certificate-path.js';
import { generateRootCa } from './self-signed-ca.js';
import type { TrustBackend, VerifiedClient } from './trust-backend.js';

export class LocalCaBackend implements TrustBackend {
  readonly name = 'localca';
  readonly generation = 0;
  readonly #root: X509Certificate;

  constructor(dir: string) {
    const certPath = join(dir, 'ca.pem');
    const keyPath = join(dir, 'ca-key.pem');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!existsSync(certPath) || !existsSync(keyPath)) {
        const generated = generateRootCa('MCP Mesh Dev Root CA');
        writeFileSync(certPath, generated.certPem, { mode: 0o600 });
        writeFileSync(keyPath, generated.keyPem, { mode: 0o600 });
      }
      const root = certificatesOfPem(readFileSync(certPath, 'utf8'))[0];
      if (root === undefined) throw new Error(`invalid CA cert PEM in ${certPath}`);
      // The key must be there and readable, as upstream loads it (it issues development certificates).
      createPrivateKey(readFileSync(keyPath));
      this.#root = root;
    } catch (error) {
      throw new MeshError('CONFIG_INVALID', `loading the local CA: ${(error as Error).message}`);
    }
  }

  verify(chain: readonly X509Certificate[], now: Date): VerifiedClient | undefined {
    const [leaf, ...intermediates] = chain;
    if (leaf === undefined || !isValidAt(leaf, now)) return undefined;
    if (!chainsToAnchor(leaf, intermediates, [this.#root], now)) return undefined;
    return { entityId: subjectField(leaf, 'O'), certSubject: subjectText(leaf), backend: this.name };
  }

  trustedCount(): number {
    return 1;
  }

  close(): void {}
}
