/**
 * The registry's HTTPS server options with TLS on: its certificate and key (`MCP_MESH_TLS_CERT`,
 * `MCP_MESH_TLS_KEY`), client certificates requested but not required at the TLS layer (upstream's
 * RequestClientCert): the trust chain judges them per request (client-identity.ts), so `auto` can
 * serve callers without one.
 */
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { RegistryConfig } from '../../shared/config.js';
import { MeshError } from '../../shared/errors.js';

export function serverTlsOptions(config: Readonly<RegistryConfig>): ServerOptions {
  try {
    const options = {
      cert: readFileSync(config.tlsCertFile ?? ''),
      key: readFileSync(config.tlsKeyFile ?? ''),
    };
    // Fails now, not at the first handshake, when the key does not match the certificate.
    createSecureContext(options);
    return { ...options, requestCert: true, rejectUnauthorized: false };
  } catch (error) {
    throw new MeshError('CONFIG_INVALID', `loading TLS certificate: ${(error as Error).message}`, {
      hint: 'MCP_MESH_TLS_CERT and MCP_MESH_TLS_KEY must name a PEM certificate and its private key.',
    });
  }
}
