/**
 * Who is calling, over HTTPS (upstream's TLSVerifyMiddleware): every request's client certificate
 * chain is verified against the trust chain, once per connection and trust generation. A verified
 * caller's entity is `request.clientEntity`; a caller without a certificate has '' (`auto`) or is
 * refused (`strict`); a certificate no backend trusts is refused in both modes. Refusals are
 * upstream's 403 bodies, before routing, so they hold for every path. With TLS off every caller
 * has ''.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { TlsMode } from '../../shared/config.js';
import { appWide } from '../http/app-wide.js';
import { sendJsonText } from '../http/replies.js';
import type { VerifiedClient } from './trust-backend.js';
import type { TrustChain } from './trust-chain.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The TLS entity of a verified client certificate; '' without one (or with TLS off). */
    clientEntity: string;
  }
}

/** The leaf the peer presented, then the rest of the chain it sent; empty without a certificate. */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerCertificate(true);
  while (cert?.raw !== undefined && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Kubernetes probes present no certificate: `strict` still answers them (a deliberate difference
 * from the Go registry, which refuses them too). They read the registry's own health only.
 */
const PROBE_PATHS = new Set(['/', '/health']);

function isProbe(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PROBE_PATHS.has(url.split('?', 1)[0]!);
}

interface Verdict {
  generation: number;
  hasCertificate: boolean;
  client: VerifiedClient | undefined;
}

export const clientIdentity = appWide(
  'client-identity',
  async (app: FastifyInstance, options: { chain: TrustChain | undefined; mode: TlsMode }) => {
    const { chain, mode } = options;
    app.decorateRequest('clientEntity', '');
    if (chain === undefined || mode === 'off') return;
    const verdicts = new WeakMap<object, Verdict>();
    app.addHook('onClose', () => chain.close());
    app.addHook('onRequest', (request, reply, done) => {
      const socket = request.raw.socket as TLSSocket;
      const generation = chain.generation;
      let verdict = verdicts.get(socket);
      if (verdict === undefined || verdict.generation !== generation) {
        const peer = typeof socket.getPeerCertificate === 'function' ? peerChain(socket) : [];
        verdict = {
          generation,
          hasCertificate: peer.length > 0,
          client: peer.length > 0 ? chain.verify(peer) : undefined,
        };
        verdicts.set(socket, verdict);
      }
      if (!verdict.hasCertificate) {
        if (mode === 'strict' && !isProbe(request.method, request.url))
          sendJsonText(reply, 403, '{"error":"client certificate required"}');
        else done();
        return;
      }
      if (verdict.client === undefined) {
        request.log.warn(`[trust] certificate verification failed (from ${request.ip})`);
        sendJsonText(
          reply,
          403,
          '{"detail":"certificate not trusted by any entity CA","error":"untrusted certificate"}',
        );
        return;
      }
      request.clientEntity = verdict.client.entityId;
      done();
    });
  },
);
