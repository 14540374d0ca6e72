/**
 * The registry's trust chain (upstream's TrustChain and initTrustChain): the backends named in
 * `MCP_MESH_TRUST_BACKEND`, in order, the first that trusts a client's chain naming its entity.
 * Opening it is where a registry with TLS on and no usable backend refuses to start.
 */
import type { X509Certificate } from 'node:crypto';
import type { RegistryConfig } from '../../shared/config.js';
import { MeshError } from '../../shared/errors.js';
import { FileStoreBackend, type TrustLog } from './filestore.js';
import { LocalCaBackend } from './localca.js';
import type { TrustBackend, VerifiedClient } from './trust-backend.js';

export const SUPPORTED_BACKENDS = ['filestore', 'localca'] as const;

export class TrustChain {
  constructor(private readonly backends: readonly TrustBackend[]) {}

  /** Changes whenever any backend's trusted set changes. */
  get generation(): number {
    return this.backends.reduce((sum, backend) => sum + backend.generation, 0);
  }

  verify(chain: readonly X509Certificate[], now = new Date()): VerifiedClient | undefined {
    for (const backend of this.backends) {
      const verified = backend.verify(chain, now);
      if (verified !== undefined) return verified;
    }
    return undefined;
  }

  describe(): string {
    return this.backends.map((b) => `${b.name} (${b.trustedCount()} CA)`).join(', ');
  }

  close(): void {
    for (const backend of this.backends) backend.close();
  }
}

function refuse(message: string, hint: string): never {
  throw new MeshError('CONFIG_INVALID', message, { hint });
}

function openBackend(name: string, config: Readonly<RegistryConfig>, log: TrustLog): TrustBackend {
  if (!(SUPPORTED_BACKENDS as readonly string[]).includes(name)) {
    refuse(
      `unknown trust backend "${name}" (configured via MCP_MESH_TRUST_BACKEND)`,
      `This registry supports ${SUPPORTED_BACKENDS.join(', ')}.`,
    );
  }
  try {
    return name === 'filestore'
      ? new FileStoreBackend(config.trustDir, log)
      : new LocalCaBackend(config.trustDir);
  } catch (error) {
    refuse(
      `initializing ${name} backend (MCP_MESH_TRUST_DIR=${config.trustDir}): ${(error as Error).message}`,
      'Create the trust directory, or point MCP_MESH_TRUST_DIR at it.',
    );
  }
}

/** Opens the configured backends; throws a MeshError that says what to set when none is usable. */
export function openTrustChain(config: Readonly<RegistryConfig>, log: TrustLog): TrustChain {
  const mode = config.tlsMode;
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
    refuse(
      `TLS mode "${mode}" requires MCP_MESH_TLS_CERT and MCP_MESH_TLS_KEY to be set; use MCP_MESH_TLS_MODE=off to run plaintext`,
      'Give the registry its server certificate and key (PEM files).',
    );
  }
  if (config.trustBackends.length === 0) {
    refuse(
      `TLS mode "${mode}" needs a trust backend to verify client certificates: set MCP_MESH_TRUST_BACKEND`,
      `Supported: ${SUPPORTED_BACKENDS.join(', ')} (comma-separated, first match wins), with MCP_MESH_TRUST_DIR.`,
    );
  }
  const backends: TrustBackend[] = [];
  try {
    for (const name of config.trustBackends) backends.push(openBackend(name, config, log));
  } catch (error) {
    for (const backend of backends) backend.close();
    throw error;
  }
  return new TrustChain(backends);
}
