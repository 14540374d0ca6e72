/** The two registry calls the CLI makes (cli.md §5.1). */
import { request } from 'node:http';

interface HttpAnswer {
  status: number;
  body: string;
}

/** Errors that mean nobody answers at that address: retrying cannot help, so say so at once. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

export class RegistryUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly code: string,
  ) {
    super(`Registry not reachable at ${url} (${code === 'ECONNREFUSED' ? 'connection refused' : code})`);
  }
}

function get(url: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs / 1000} seconds`)));
    req.on('error', reject);
    req.end();
  });
}

function unreachable(url: string, error: unknown): RegistryUnreachableError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code && UNREACHABLE_CODES.has(code) ? new RegistryUnreachableError(url, code) : undefined;
}

/** `GET /health` answers 200 within 5 s (one attempt; the body is not read). */
export async function isRegistryHealthy(baseUrl: string): Promise<boolean> {
  try {
    return (await get(`${baseUrl}/health`, 5000)).status === 200;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `agents` array of `GET /agents` (missing or null → `[]`). A registry that answers badly
 * (non-200, not JSON, slow) is asked three times with 1 s and 2 s pauses, then `[]` (§5.1).
 * Nobody listening at all throws {@link RegistryUnreachableError} at once, instead of the
 * original's three silent seconds.
 */
export async function fetchRegistryAgents(baseUrl: string): Promise<Record<string, unknown>[]> {
  const url = `${baseUrl}/agents`;
  for (const pause of [1000, 2000, 0]) {
    try {
      const answer = await get(url, 30_000);
      if (answer.status === 200) {
        const body = JSON.parse(answer.body) as { agents?: unknown } | null;
        const agents = body && typeof body === 'object' ? body.agents : undefined;
        return Array.isArray(agents) ? (agents as Record<string, unknown>[]) : [];
      }
    } catch (error) {
      const down = unreachable(baseUrl, error);
      if (down) throw down;
    }
    if (pause > 0) await sleep(pause);
  }
  return [];
}
