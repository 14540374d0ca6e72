/** What a trust backend is (upstream's TrustBackend): it verifies a client's certificate chain. */
import type { X509Certificate } from 'node:crypto';

/** A verified client: the entity it belongs to (may be '' for localca), as upstream derives it. */
export interface VerifiedClient {
  entityId: string;
  certSubject: string;
  backend: string;
}

export interface TrustBackend {
  readonly name: string;
  /** `chain` is the leaf first, then the certificates the peer sent with it. */
  verify(chain: readonly X509Certificate[], now: Date): VerifiedClient | undefined;
  /** How many CA certificates it trusts now (for the startup log). */
  trustedCount(): number;
  /** Bumped whenever what it trusts changes: verifications made before are made again. */
  readonly generation: number;
  close(): void;
}
