import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { getJson } from '../helpers/http-request.js';
import { ensureVenv } from '../helpers/python-env.js';
import { REPO_ROOT, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startAgent, waitFor } from './agent-process.js';
import { callTool } from './mesh-call.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
/** What the consumer answers when its LLM called the date tool through the fake provider. */
const THROUGH_PROVIDER_AND_TOOL =
  'assistant: fake-model called get_date({"timezone": "UTC"}) among [get_date]: 2031-03-14 (UTC) from date-tool';
const WITHOUT_TOOLS = 'assistant: fake-model: no tools offered';
/**
 * How soon after the tool agent's SIGTERM the consumer's LLM must have lost the tool: the agent
 * deregisters at once, the consumer's next HEAD (every 5 s) gets 202, its full heartbeat gets
 * `llm_tools` without the tool. Silence alone would take at least 15 s.
 */
const TOOL_GONE_WITHIN_MS = 12_000;

interface ListedTool {
  function_name: string;
  llm_filter?: unknown;
  llm_provider?: { capability: string; tags: string[] };
}
interface Listed {
  name: string;
  status: string;
  capabilities: ListedTool[];
}

async function healthyAgents(baseUrl: string): Promise<Listed[]> {
  const { json } = await getJson(baseUrl, '/agents?status=healthy');
  return (json as { agents: Listed[] | null }).agents ?? [];
}

describe('an @mesh.llm agent and an LLM provider agent of the published mcp-mesh SDK 3.8.0 against our registry', () => {
  it('the LLM gets the date tool (llm_tools) and the fake provider (llm_providers), answers through both, and loses the tool when its agent stops', {
    timeout: 240_000,
  }, async () => {
    const { python } = await ensureVenv('3.8.0');
    using dir = tempDir('mesh-e2e-llm-');
    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'e2e.db')}`,
    });
    const base = await freePort(3);
    const [toolPort, providerPort, consumerPort] = [base, base + 1, base + 2];
    const env = { MCP_MESH_REGISTRY_URL: registry.baseUrl, MCP_MESH_DEBUG_MODE: 'false' };
    await using tool = startAgent(python, join(AGENTS, 'date_tool.py'), {
      ...env,
      DATE_TOOL_PORT: String(toolPort),
    });
    await using provider = startAgent(python, join(AGENTS, 'llm_provider.py'), {
      ...env,
      LLM_PROVIDER_PORT: String(providerPort),
    });
    await using consumer = startAgent(python, join(AGENTS, 'llm_consumer.py'), {
      ...env,
      LLM_CONSUMER_PORT: String(consumerPort),
    });
    const consumerUrl = `http://127.0.0.1:${consumerPort}`;
    const diagnostics = () =>
      `\n--- consumer ---\n${consumer.output().slice(-3000)}\n--- provider ---\n${provider.output().slice(-3000)}`;

    const agents = await waitFor(
      () => healthyAgents(registry.baseUrl),
      (a) => a.length === 3,
      60_000,
      'the three agents healthy',
    );
    expect(agents.map((a) => a.name).sort()).toEqual(['date-assistant', 'date-tool', 'fake-llm-provider']);
    // The consumer's tool carries its specs as the SDK sent them; the SDK adds the stream tag that
    // keeps the provider's streaming variant out.
    const askDate = agents
      .find((a) => a.name === 'date-assistant')
      ?.capabilities.find((c) => c.function_name === 'ask_date');
    expect(askDate?.llm_filter).toEqual({ filter: [{ capability: 'date_service' }], filter_mode: 'all' });
    expect(askDate?.llm_provider).toMatchObject({ capability: 'llm', tags: ['fake', '-ai.mcpmesh.stream'] });

    // The answer names the one tool offered (only llm_tools could give the consumer get_date and its
    // input schema, from which the fake model took the argument), and carries the tool's date: the
    // provider (from llm_providers) ran the call at the endpoint llm_tools gave.
    const answer = await waitFor(
      () => callTool(consumerUrl, 'ask_date', { question: 'What is the date?' }),
      (text) => text === THROUGH_PROVIDER_AND_TOOL,
      30_000,
      'the consumer to answer through the provider and the tool',
    ).catch((error: Error) => {
      throw new Error(error.message + diagnostics());
    });
    expect(answer).toBe(THROUGH_PROVIDER_AND_TOOL);
    // The provider the registry chose is the buffered variant, at the provider agent's endpoint.
    expect(consumer.output()).toContain(
      `LLM provider resolved for ask_date: fake_llm at http://127.0.0.1:${providerPort}`,
    );
    expect(consumer.output()).toContain('LLM tools update for ask_date: 1 tools');

    // Stop the tool agent: it deregisters, and the consumer's LLM is offered no tools any more.
    const stoppedAt = Date.now();
    expect(await tool.kill('SIGTERM')).toBe(0);
    await waitFor(
      () => callTool(consumerUrl, 'ask_date', { question: 'What is the date?' }),
      (text) => text === WITHOUT_TOOLS,
      TOOL_GONE_WITHIN_MS,
      'the consumer to lose the date tool',
    ).catch((error: Error) => {
      throw new Error(error.message + diagnostics());
    });
    expect(Date.now() - stoppedAt).toBeLessThan(TOOL_GONE_WITHIN_MS);
    expect(consumer.output()).toContain('LLM tools update for ask_date: 0 tools');
    // The provider is still there and still chosen.
    expect((await healthyAgents(registry.baseUrl)).map((a) => a.name).sort()).toEqual([
      'date-assistant',
      'fake-llm-provider',
    ]);
  });
});
