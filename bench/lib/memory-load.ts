/**
 * The memory bench's load (issue 19): agents registered through both protocols, then both
 * listings served, so that the registry holds what it keeps for its agents and its listings.
 */
import { startAgentSink } from './agent-sink.ts';
import { legacyRegistrationTemplate, provider } from './payloads.ts';

async function post(url: string, path: string, body: string): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}${path}: ${res.status} ${await res.text()}`);
}

/** 1,000 agents (half legacy where the server has the legacy API), then both listings. */
export async function fill(url: string, kind: 'bare' | 'ours' | 'go', agents = 1000): Promise<void> {
  const legacy = kind === 'go' ? 0 : Math.floor(agents / 2);
  const current = agents - legacy;
  const batch = 25;
  await startAgentSink();
  for (let i = 0; i < current; i += batch)
    await Promise.all(
      Array.from({ length: Math.min(batch, current - i) }, (_, j) =>
        post(url, '/heartbeat', JSON.stringify(provider(i + j))),
      ),
    );
  for (let i = 0; i < legacy; i += batch)
    await Promise.all(
      Array.from({ length: Math.min(batch, legacy - i) }, (_, j) =>
        post(
          url,
          '/agents/register_with_metadata',
          legacyRegistrationTemplate.replace('[<id>]', String(i + j)),
        ),
      ),
    );
  for (let k = 0; k < 5; k++)
    for (const path of kind === 'go' ? ['/agents'] : ['/agents', '/capabilities']) {
      const res = await fetch(`${url}${path}`);
      const body = await res.text();
      if (kind === 'ours' && path === '/agents' && k === 0) {
        const listed = (JSON.parse(body) as { agents: unknown[] }).agents.length;
        if (listed !== current) throw new Error(`${url}/agents lists ${listed} agents, expected ${current}`);
      }
    }
}
