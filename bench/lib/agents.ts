/** Filling a registry with agents before a workload, through the current protocol. */
import { startAgentSink } from './agent-sink.ts';
import { CONSUMER_ID, consumerBody, provider } from './payloads.ts';

async function post(url: string, path: string, body: string): Promise<Response> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}${path}: ${res.status}`);
  return res;
}

/** Registers providers `from`..`to - 1` (SDK full heartbeats, 32 at a time). */
export async function registerProviders(url: string, from: number, to: number): Promise<void> {
  await startAgentSink();
  for (let i = from; i < to; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, to - i) }, (_, j) =>
        post(url, '/heartbeat', JSON.stringify(provider(i + j))),
      ),
    );
  }
}

/**
 * Sends the consumer's full heartbeat; with `mustResolve` (at least 99 providers, so that cap_7,
 * cap_42 and cap_98 exist) checks that its 3 dependencies resolve.
 */
export async function registerConsumer(url: string, mustResolve = true): Promise<void> {
  await startAgentSink();
  const res = await fetch(`${url}/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: consumerBody(),
  });
  const json = (await res.json()) as { dependencies_resolved?: Record<string, { status: string }[]> };
  const statuses = json.dependencies_resolved?.consume?.map((d) => d.status).join(',');
  if (mustResolve && statuses !== 'available,available,available')
    throw new Error(`${url}: ${CONSUMER_ID}'s dependencies did not resolve: ${statuses}`);
}

/** The number of agents `GET /agents` lists (both protocols answer `{"agents": [...]}`). */
export async function countAgents(url: string): Promise<number> {
  const res = await fetch(`${url}/agents`);
  const json = (await res.json()) as { agents?: unknown[] };
  return json.agents?.length ?? 0;
}
