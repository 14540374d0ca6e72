/**
 * The dashboard at `/ui` in a real headless Chromium, against the registry process with real
 * agents of the `mcp-mesh` SDK 3.8.0 (a provider, a consumer it resolves for, and a consumer whose
 * tag no provider has) and an agent of the legacy protocol. The page shows every agent with its health, capabilities and tools, the
 * dependency graph and table (who resolves to whom; what does not resolve and why) and recent
 * events, with no error and no CSP violation; when the provider stops, the page changes without
 * a reload. `MESH_UPDATE_SCREENSHOTS=1` writes the screenshot to docs/dashboard.png.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { launchChromium } from '../helpers/headless-chromium.js';
import { postJson, send } from '../helpers/http-request.js';
import { ensureVenv } from '../helpers/python-env.js';
import { REPO_ROOT, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startAgent, waitFor } from './agent-process.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');

interface Listed {
  name: string;
  status: string;
  total_dependencies?: number;
  dependencies_resolved?: number;
}

/** What the page shows, read from its DOM. */
interface Shown {
  live: string;
  summary: string;
  agents: {
    name: string;
    status: string;
    badges: string[];
    tools: string[];
    capabilities: string[];
    deps: string;
  }[];
  dependencies: { consumer: string; capability: string; state: string; provider: string; why: string }[];
  graph: { nodes: string[]; edges: number; unresolvedEdges: number };
  events: { type: string; what: string }[];
}

const READ_PAGE = `(() => {
  const text = (node) => (node ? node.textContent.trim() : '');
  return {
    live: document.getElementById('live').dataset.state,
    summary: text(document.getElementById('summary')),
    agents: [...document.querySelectorAll('article.agent')].map((card) => ({
      name: text(card.querySelector('.name')),
      status: card.dataset.status,
      badges: [...card.querySelectorAll('h3 .badge')].map(text),
      tools: [...card.querySelectorAll('td.tool')].map(text),
      capabilities: [...card.querySelectorAll('td.capability')].map(text),
      deps: text(card.querySelector('.deps')),
      builtIn: text(card.querySelector('.builtin')),
    })),
    dependencies: [...document.querySelectorAll('#dependencies tbody tr[data-consumer]')].map((row) => ({
      consumer: row.dataset.consumer,
      capability: row.dataset.capability,
      state: row.dataset.state,
      provider: text(row.children[3]),
      why: text(row.children[4]),
    })),
    graph: {
      nodes: [...document.querySelectorAll('#graph .node')].map((node) => text(node.querySelector('text'))),
      edges: document.querySelectorAll('#graph path.edge').length,
      unresolvedEdges: document.querySelectorAll('#graph path.edge.unresolved').length,
    },
    events: [...document.querySelectorAll('#events li[data-type]')].map((item) => ({
      type: item.dataset.type,
      what: text(item.querySelector('.what')),
    })),
  };
})()`;

describe('the dashboard in headless Chromium', () => {
  it('shows the agents, their wiring and events, and follows an agent that stops without a reload', {
    timeout: 300_000,
  }, async () => {
    const { python } = await ensureVenv('3.8.0');
    using dir = tempDir('mesh-dashboard-');
    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'dashboard.db')}`,
    });
    const env = { MCP_MESH_REGISTRY_URL: registry.baseUrl, MCP_MESH_DEBUG_MODE: 'false' };
    const [providerPort, consumerPort, lonelyPort] = [await freePort(), await freePort(), await freePort()];
    await using provider = startAgent(python, join(AGENTS, 'provider.py'), {
      ...env,
      PROVIDER_PORT: String(providerPort),
    });
    await using _consumer = startAgent(python, join(AGENTS, 'consumer.py'), {
      ...env,
      CONSUMER_PORT: String(consumerPort),
    });
    // Needs a tag no provider has: its dependency stays unresolved, and the audit says why.
    await using _lonely = startAgent(python, join(AGENTS, 'consumer.py'), {
      ...env,
      CONSUMER_PORT: String(lonelyPort),
      CONSUMER_NAME: 'lonely-consumer',
      CONSUMER_DEP_TAGS: 'gpu',
    });
    await waitFor(
      async () =>
        (JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body) as { agents: Listed[] }).agents,
      (agents) =>
        agents.filter((a) => a.status === 'healthy').length === 3 &&
        agents.some((a) => a.name === 'report-consumer' && a.dependencies_resolved === 1),
      90_000,
      'three healthy agents, report-consumer wired',
    );
    await waitFor(
      async () => (await send(registry.baseUrl, { path: '/events?type=dependency_unresolved' })).body,
      (body) => body.includes('lonely-consumer'),
      30_000,
      "lonely-consumer's unresolved audit",
    );

    // An agent of the legacy protocol beside them, pending until its first heartbeat (which the
    // default listing leaves out; 90 s before a file-agent is degraded).
    const legacy = {
      agent_id: 'legacy-files',
      metadata: {
        name: 'legacy-files',
        agent_type: 'file-agent',
        capabilities: [{ name: 'file_reader', version: '2.0.0', tags: ['fs'] }],
      },
      timestamp: 't',
    };
    expect((await postJson(registry.baseUrl, '/agents/register_with_metadata', legacy)).status).toBe(201);

    await using browser = await launchChromium();
    const { page } = browser;
    await page.goto(`${registry.baseUrl}/ui`);
    await page.waitFor(
      `document.querySelectorAll('article.agent').length === 4 && document.getElementById('live').dataset.state === 'live'`,
      30_000,
      'four agents on the page, live',
    );
    const before = await page.evaluate<Shown>(READ_PAGE);
    expect(before.live).toBe('live');
    expect(before.summary).toBe('4 agents · 3 healthy · 1 unresolved dependency');
    const byName = new Map(before.agents.map((agent) => [agent.name, agent]));
    expect([...byName.keys()].sort()).toEqual([
      'date-provider',
      'legacy-files',
      'lonely-consumer',
      'report-consumer',
    ]);
    expect(byName.get('date-provider')).toMatchObject({
      status: 'healthy',
      badges: ['healthy', 'current · python'],
      tools: ['get_date'],
      capabilities: ['date_service'],
      // SDK 3.8.0's MeshJobs tools (__mesh_job_status, _result, _cancel): counted, not listed.
      builtIn: '+ 3 built-in SDK tools',
      deps: 'No dependencies',
    });
    expect(byName.get('report-consumer')).toMatchObject({
      status: 'healthy',
      tools: ['make_report'],
      capabilities: ['report_service'],
      deps: 'Dependencies: 1 of 1 resolved',
    });
    expect(byName.get('lonely-consumer')?.deps).toBe('Dependencies: 0 of 1 resolved');
    expect(byName.get('legacy-files')).toMatchObject({
      status: 'pending',
      badges: ['pending', 'legacy'],
      tools: ['file_reader'],
      capabilities: ['file_reader'],
      deps: 'No dependencies',
    });
    expect(before.dependencies).toEqual(
      expect.arrayContaining([
        {
          consumer: 'report-consumer',
          capability: 'date_service',
          state: 'resolved',
          provider: 'date-provider · get_date',
          why: '',
        },
        {
          consumer: 'lonely-consumer',
          capability: 'date_service',
          state: 'unresolved',
          provider: 'unresolved',
          // The audit's tags stage evicted the one provider (named by its agent) for the tag it lacks.
          why: 'tags: date-provider MissingTag',
        },
      ]),
    );
    expect(before.dependencies).toHaveLength(2);
    // Four agents and the capability nothing resolves; one edge resolved, one not.
    expect(before.graph.nodes.sort()).toEqual([
      'date-provider',
      'date_service',
      'legacy-files',
      'lonely-consumer',
      'report-consumer',
    ]);
    expect(before.graph).toMatchObject({ edges: 2, unresolvedEdges: 1 });
    expect(
      before.events
        .filter((e) => e.type === 'register')
        .map((e) => e.what)
        .sort(),
    ).toEqual(expect.arrayContaining(['date-provider', 'lonely-consumer', 'report-consumer']));
    expect(page.errors).toEqual([]);

    const screenshot = await page.screenshot();
    expect(screenshot.subarray(1, 4).toString()).toBe('PNG');
    writeFileSync(
      process.env.MESH_UPDATE_SCREENSHOTS === '1'
        ? join(REPO_ROOT, 'docs', 'dashboard.png')
        : join(dir.path, 'dashboard.png'),
      screenshot,
    );

    // The legacy agent's first heartbeat, and the provider stops (SIGTERM: the SDK deregisters, and
    // the registry keeps it as unhealthy, as the Go registry does); the page follows through the
    // event stream.
    await page.evaluate('window.notReloaded = true');
    expect((await postJson(registry.baseUrl, '/heartbeat', { agent_id: 'legacy-files' })).status).toBe(200);
    await provider.kill('SIGTERM');
    await page.waitFor(
      `document.querySelector('article.agent[data-agent-name="date-provider"]').dataset.status === 'unhealthy' &&
       document.querySelector('article.agent[data-agent-name="legacy-files"]').dataset.status === 'healthy' &&
       document.querySelectorAll('#dependencies tr[data-state="unresolved"]').length === 2`,
      30_000,
      'the provider unhealthy, the legacy agent healthy and both dependencies unresolved',
    );
    const after = await page.evaluate<Shown>(READ_PAGE);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(after.summary).toBe('4 agents · 3 healthy · 2 unresolved dependencies');
    expect(after.agents.find((agent) => agent.name === 'date-provider')?.badges).toEqual([
      'unhealthy',
      'current · python',
    ]);
    expect(after.agents.find((agent) => agent.name === 'legacy-files')?.badges).toEqual([
      'healthy',
      'legacy',
    ]);
    expect(after.agents.find((agent) => agent.name === 'report-consumer')?.deps).toBe(
      'Dependencies: 0 of 1 resolved',
    );
    expect(after.dependencies.find((row) => row.consumer === 'report-consumer')).toMatchObject({
      state: 'unresolved',
      provider: 'unresolved',
      // From the consumer's next audit, or until it comes, what the listing alone says.
      why: expect.stringMatching(/^(health: date-provider Unhealthy|no available provider of date_service)$/),
    });
    expect(after.graph).toMatchObject({ edges: 2, unresolvedEdges: 2 });
    expect(after.events).toContainEqual({ type: 'unregister', what: 'date-provider' });
    expect(after.live).toBe('live');
    expect(page.errors).toEqual([]);
  });
});
