import { connect } from 'node:net';

/**
 * What a TCP connection to an agent's endpoint found: `refused`, nothing listens there (the
 * process is gone); `open`, something accepted; `unknown`, no answer in time, an unreachable
 * host or an endpoint we cannot read. Only `refused` is evidence: the others wait for the timeout.
 */
export type ProbeResult = 'refused' | 'open' | 'unknown';

/** The host and port of an agent's endpoint URL, or undefined when there is none to connect to. */
export function probeTarget(endpoint: string): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // An unspecified address says where the agent listens, not where it can be reached.
  if (host === '' || host === '0.0.0.0' || host === '::') return undefined;
  const port = url.port === '' ? (isHttps ? 443 : 80) : Number(url.port);
  return { host, port };
}

/** Opens (and at once closes) a TCP connection to the endpoint; never rejects. */
export function probeEndpoint(endpoint: string, timeoutMs: number): Promise<ProbeResult> {
  const target = probeTarget(endpoint);
  if (target === undefined) return Promise.resolve('unknown');
  return new Promise((resolve) => {
    const socket = connect({ ...target, timeout: timeoutMs });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done('open'));
    socket.once('timeout', () => done('unknown'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ECONNREFUSED' ? 'refused' : 'unknown'),
    );
  });
}
