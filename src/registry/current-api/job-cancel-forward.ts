/**
 * A cancel passed on to the agent that holds the job, as the Go registry does it: after the job
 * is cancelled, `POST <scheme>://<host>:<port>/jobs/<id>/cancel` with `{"reason"}` (when there is
 * one) and the caller's trace headers, HTTPS with the mesh CA for an agent that registered with a
 * TLS entity. Best effort: the job is already cancelled, so an owner that cannot be told only
 * learns it from its next refused update; nothing waits for the answer beyond 5 s.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import type { AgentRecord } from '../../mesh/agent.js';
import type { AgentTls } from './proxy/agent-tls.js';

const FORWARD_TIMEOUT_MS = 5000;

/** The request headers passed on with the cancel. */
export const FORWARDED_CANCEL_HEADERS = ['x-trace-id', 'x-parent-span', 'x-mesh-timeout'] as const;

export interface CancelForward {
  owner: AgentRecord | undefined;
  ownerId: string;
  jobId: string;
  reason: string;
  headers: Record<string, string>;
}

/** Sends the cancel; resolves when it was answered, failed or timed out (never rejects). */
export async function forwardCancel(
  forward: CancelForward,
  tls: AgentTls,
  logger: FastifyBaseLogger,
): Promise<void> {
  const { owner, ownerId, jobId } = forward;
  const details = owner?.current;
  if (details === undefined) {
    logger.info({ owner: ownerId, job: jobId }, 'cancel forward skipped: owner not found in registry');
    return;
  }
  if (details.httpHost === '' || details.httpPort === 0) {
    logger.info(
      { owner: ownerId, job: jobId },
      'cancel forward skipped: owner has no HTTP endpoint registered',
    );
    return;
  }
  const isHttps = details.entityId !== undefined && details.entityId !== '';
  const body = forward.reason === '' ? '' : JSON.stringify({ reason: forward.reason });
  const url = `${isHttps ? 'https' : 'http'}://${details.httpHost}:${details.httpPort}/jobs/${jobId}/cancel`;
  try {
    const tlsOptions = isHttps ? await tls.options() : {};
    await new Promise<void>((resolve, reject) => {
      const send = isHttps ? httpsRequest : httpRequest;
      const outgoing = send(
        url,
        {
          method: 'POST',
          headers: {
            ...forward.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: FORWARD_TIMEOUT_MS,
          ...tlsOptions,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if ((response.statusCode ?? 0) >= 300) {
              logger.info(
                { url, status: response.statusCode, job: jobId },
                'cancel forward answered an error',
              );
            }
            resolve();
          });
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  } catch (error) {
    logger.info({ url, job: jobId, err: error }, 'cancel forward failed');
  }
}
