/**
 * What registration trust needs before the app is built: with `MCP_MESH_TLS_MODE` auto or strict,
 * the HTTPS server options and an open trust chain; with TLS off, nothing. Throws a MeshError that
 * says what to set when either cannot be had (the registry then refuses to start).
 */
import type { ServerOptions } from 'node:https';
import type { RegistryConfig } from '../../shared/config.js';
import type { TrustLog } from './filestore.js';
import { serverTlsOptions } from './server-tls.js';
import { openTrustChain, type TrustChain } from './trust-chain.js';

export interface RegistrationTrust {
  https: ServerOptions;
  chain: TrustChain;
}

export function openRegistrationTrust(
  config: Readonly<RegistryConfig>,
  log: TrustLog,
): RegistrationTrust | undefined {
  if (config.tlsMode === 'off') return undefined;
  const chain = openTrustChain(config, log);
  try {
    return { https: serverTlsOptions(config), chain };
  } catch (error) {
    chain.close();
    throw error;
  }
}
