/**
 * The upstream `meshctl` 3.7.1's read-only commands print the same against our registry as against
 * the Go registry 3.7.1 holding the same agents (times, ages and ports masked).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { postJson, send } from '../helpers/http-request.js';
import { ensureMeshctl } from '../helpers/python-env.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const execFileAsync = promisify(execFile);

const agent = (id: string, dependencies: object[] = []) => ({
  agent_id: id,
  name: id.replace(/-\w+$/, ''),
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_host: '127.0.0.1',
  http_port: 9555,
  runtime: 'python',
  tools: [
    {
      function_name: `caption_${id.length}`,
      capability: 'media.caption',
      description: 'Captions a picture',
      tags: ['vision'],
      dependencies,
      inputSchema: { type: 'object', properties: { url: { type: 'string' } } },
    },
  ],
});

/** Colours, times, ages and the registries' ports are what may differ. */
function masked(text: string): string {
  return text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/127\.0\.0\.1:\d+/g, '<host>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<time>')
    .replace(/\b\d+(ms|s|m|h)\b/g, '<age>');
}

describe('meshctl output, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  let meshctl: string;
  const home = tempDir('mesh-meshctl-out-');
  const run = async (base: string, args: string[]) => {
    try {
      const { stdout, stderr } = await execFileAsync(meshctl, [...args, '--registry-url', base], {
        timeout: 30_000,
        env: { PATH: process.env.PATH, HOME: home.path, NO_COLOR: '1' },
      });
      return `exit 0\n${masked(stdout + stderr)}`;
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return `exit ${failed.code}\n${masked(`${failed.stdout ?? ''}${failed.stderr ?? ''}`)}`;
    }
  };

  beforeAll(async () => {
    [ours, go, { meshctl }] = await Promise.all([startRegistry(), startGoRegistry(), ensureMeshctl()]);
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', agent('vision-5e6f7a8b'))).status).toBe(200);
      expect(
        (await postJson(base, '/heartbeat', agent('album-9a8b7c6d', [{ capability: 'media.caption' }])))
          .status,
      ).toBe(200);
      expect((await postJson(base, '/heartbeat', agent('gone-1a2b3c4d'))).status).toBe(200);
      expect((await send(base, { method: 'DELETE', path: '/agents/gone-1a2b3c4d' })).status).toBe(204);
    }
  }, 300_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
    home[Symbol.dispose]();
  });

  it.each([
    ['list'],
    ['list', '--all'],
    ['list', '--json'],
    ['list', '--wide', '--verbose'],
    ['list', '--services'],
    ['list', '--tools'],
    ['list', '--tools=caption_14'],
    ['list', '--filter', 'vision'],
    ['list', '--since', '1h'],
    ['status'],
  ])('meshctl %s prints the same on both', async (...args) => {
    const [a, b] = await Promise.all([run(ours.baseUrl, args), run(go.baseUrl, args)]);
    expect(a).toBe(b);
    expect(a).toMatch(/^exit 0\n/);
  });

  it('meshctl trace answers as with the Go registry with tracing off (not found, exit 1)', async () => {
    const [a, b] = await Promise.all([
      run(ours.baseUrl, ['trace', 'abc123']),
      run(go.baseUrl, ['trace', 'abc123']),
    ]);
    expect(a).toBe(b);
    expect(a).toMatch(/^exit 1\n[\s\S]*trace 'abc123' not found/);
  }, 60_000);
});
