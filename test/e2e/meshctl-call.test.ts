/**
 * The upstream `meshctl` 3.7.1 calling tools through our registry's proxy: `meshctl call` and the
 * tool details of `meshctl list --tools=<tool>` (both `POST /proxy/<host>:<port>/mcp`), against a
 * real agent of the published SDK 3.8.0 (which answers in SSE) and a minimal MCP server registered
 * through `POST /heartbeat` (which answers in JSON).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { postJson, send } from '../helpers/http-request.js';
import { startTestAgent } from '../helpers/mcp-test-agent.js';
import { ensureMeshctl, ensureVenv } from '../helpers/python-env.js';
import { startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { startAgent, waitFor } from './agent-process.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
const run = promisify(execFile);
const ANSI = /\u001b\[[0-9;]*m/g;

/** Runs meshctl; resolves with its exit code and output whether it succeeded or not. */
async function meshctl(binary: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(binary, args, { timeout: 60_000 });
    return { code: 0, stdout: stdout.replace(ANSI, ''), stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: failed.code ?? -1,
      stdout: (failed.stdout ?? '').replace(ANSI, ''),
      stderr: failed.stderr ?? '',
    };
  }
}

describe('meshctl call through our registry', () => {
  it('calls a tool of a real SDK agent, and lists its details (description, input schema) with list --tools', async () => {
    const [{ python }, { meshctl: binary }] = await Promise.all([ensureVenv('3.8.0'), ensureMeshctl()]);
    await using registry = await startRegistry();
    const port = await freePort();
    await using provider = startAgent(python, join(AGENTS, 'provider.py'), {
      MCP_MESH_REGISTRY_URL: registry.baseUrl,
      MCP_MESH_DEBUG_MODE: 'false',
      PROVIDER_PORT: String(port),
    });
    await waitFor(
      async () =>
        JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body).agents as { name: string }[],
      (agents) => agents.some((a) => a.name === 'date-provider'),
      60_000,
      `the provider to register; its output: ${provider.output()}`,
    );

    const call = await meshctl(binary, ['call', 'get_date', '--registry-url', registry.baseUrl]);
    expect(call.stderr).toBe('');
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({
      content: [{ type: 'text', text: '2026-11-24 from date-provider' }],
      isError: false,
    });

    const details = await meshctl(binary, ['list', '--tools=get_date', '--registry-url', registry.baseUrl]);
    expect(details.code).toBe(0);
    expect(details.stdout).toContain('Tool: get_date');
    expect(details.stdout).toContain('Capability: date_service');
    // These two come from the agent's tools/list, through the proxy.
    expect(details.stdout).toContain('Description: Return a fixed date, marked with who answered.');
    expect(details.stdout).toMatch(/Input Schema:\n {2}\{\n {4}"additionalProperties": false,/);
  }, 120_000);

  it('calls a minimal MCP server registered through POST /heartbeat, and reports a dead agent as the proxy answers it', async () => {
    const { meshctl: binary } = await ensureMeshctl();
    await using registry = await startRegistry();
    await using agent = await startTestAgent();
    const deadPort = await freePort();
    const heartbeat = (id: string, port: number, tool: string) => ({
      agent_id: id,
      name: id.replace(/-\w+$/, ''),
      agent_type: 'mcp_agent',
      version: '1.0.0',
      http_host: '127.0.0.1',
      http_port: port,
      namespace: 'default',
      runtime: 'python',
      tools: [{ function_name: tool, capability: `${tool}_service`, version: '1.0.0', tags: [] }],
    });
    expect(
      (await postJson(registry.baseUrl, '/heartbeat', heartbeat('echo-agent-1a2b3c4d', agent.port, 'echo')))
        .status,
    ).toBe(200);
    expect(
      (await postJson(registry.baseUrl, '/heartbeat', heartbeat('gone-agent-5e6f7a8b', deadPort, 'vanish')))
        .status,
    ).toBe(200);

    const call = await meshctl(binary, [
      'call',
      'echo',
      '{"text":"hello"}',
      '--registry-url',
      registry.baseUrl,
    ]);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({
      content: [{ type: 'text', text: '{"text":"hello"}' }],
      isError: false,
    });
    const seen = agent.seen.find((r) => r.url === '/mcp')!;
    expect(seen.headers['x-mesh-timeout']).toBe('30');

    const dead = await meshctl(binary, ['call', 'vanish', '--registry-url', registry.baseUrl]);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toContain('agent returned status 502');
    expect(dead.stderr).toContain(
      `Failed to reach target agent: Post \\"http://127.0.0.1:${deadPort}/mcp\\": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`,
    );
  }, 60_000);
});
