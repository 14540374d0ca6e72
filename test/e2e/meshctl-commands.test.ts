/**
 * The upstream `meshctl` 3.7.1's registry-backed commands against our registry, run for real and
 * judged by what they print and exit with: `registry status|drain|resume`, `entity rotate`,
 * `list --all` with its footer counts, and `audit`. (docs/compatibility.md keeps the table of
 * every command; `call`, `list --tools` and the schema commands have their own tests.)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { ensureMeshctl } from '../helpers/python-env.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const execFileAsync = promisify(execFile);

/** meshctl colours its tables whatever NO_COLOR says. */
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

const agent = heartbeatBody;

describe('upstream meshctl against our registry', () => {
  let registry: RunningRegistry;
  let meshctl: string;
  const home = tempDir('mesh-meshctl-home-');
  /** Runs meshctl; resolves to its exit code and output, never rejects on a non-zero exit. */
  const run = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await execFileAsync(meshctl, [...args], {
        timeout: 30_000,
        env: { PATH: process.env.PATH, HOME: home.path, NO_COLOR: '1' },
      });
      return { code: 0, out: plain(stdout + stderr) };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, out: plain(`${failed.stdout ?? ''}${failed.stderr ?? ''}`) };
    }
  };

  beforeAll(async () => {
    [registry, { meshctl }] = await Promise.all([startRegistry(), ensureMeshctl()]);
  }, 300_000);
  afterAll(async () => {
    await registry?.[Symbol.asyncDispose]();
    home[Symbol.dispose]();
  });

  it('registry status, drain and resume report and change the registry-wide drain state', async () => {
    const url = ['--registry-url', registry.baseUrl];
    const status = await run('registry', 'status', '--json', ...url);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toEqual({ draining: false, live_claims: 0 });
    const drain = await run('registry', 'drain', ...url);
    expect(drain.code).toBe(0);
    expect(drain.out).toContain('Registry draining');
    expect(await registry.store.isDraining()).toBe(true);
    // --wait returns at once: no live claims.
    expect((await run('registry', 'drain', '--wait', ...url)).code).toBe(0);
    const resume = await run('registry', 'resume', ...url);
    expect(resume.code).toBe(0);
    expect(await registry.store.isDraining()).toBe(false);
  });

  it('entity rotate makes healthy agents register again', async () => {
    expect((await postJson(registry.baseUrl, '/heartbeat', agent('rotor-1a2b3c4d'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rotated = await run('entity', 'rotate', '--registry-url', registry.baseUrl);
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/Rotation triggered for all agents/);
    expect((await send(registry.baseUrl, { method: 'HEAD', path: '/heartbeat/rotor-1a2b3c4d' })).status).toBe(
      202,
    );
  });

  it('list --all shows agents that shut down, and the footer counts them', async () => {
    expect((await postJson(registry.baseUrl, '/heartbeat', agent('alive-5e6f7a8b'))).status).toBe(200);
    expect((await postJson(registry.baseUrl, '/heartbeat', agent('gone-9a8b7c6d'))).status).toBe(200);
    expect((await send(registry.baseUrl, { method: 'DELETE', path: '/agents/gone-9a8b7c6d' })).status).toBe(
      204,
    );
    const all = await run('list', '--all', '--registry-url', registry.baseUrl);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/gone-9a8b7c6d .* unhealthy/);
    expect(all.out).toMatch(/alive-5e6f7a8b .* healthy/);
    const live = await run('list', '--registry-url', registry.baseUrl);
    expect(live.out).toContain('alive-5e6f7a8b');
    expect(live.out).not.toContain('gone-9a8b7c6d');
    expect(live.out).toMatch(/1 down hidden \(use --all\)/);
    const json = await run('list', '--all', '--json', '--registry-url', registry.baseUrl);
    const listed = JSON.parse(json.out) as {
      registry: { status: string; agent_count: number; healthy_count: number; unhealthy_count: number };
      agents: { id: string; status: string }[];
    };
    expect(listed.registry).toMatchObject({
      status: 'running',
      agent_count: 3,
      healthy_count: 2,
      unhealthy_count: 1,
    });
    expect(listed.agents.map((a) => [a.id, a.status]).sort()).toEqual([
      ['alive-5e6f7a8b', 'healthy'],
      ['gone-9a8b7c6d', 'unhealthy'],
      ['rotor-1a2b3c4d', 'healthy'],
    ]);
  });
});
