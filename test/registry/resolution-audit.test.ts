/**
 * The schema stage of resolution and the `dependency_*` audit events, beside the Go registry
 * 3.7.1: the same agents registered in the same order on both give the same resolutions, the same
 * audit events (times aside), and the same `meshctl audit` output.
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

const DATE_OUT = { properties: { date: { type: 'string' } }, required: ['date'], type: 'object' };
const DAY_OUT = { properties: { day: { type: 'integer' } }, required: ['day'], type: 'object' };

function provider(id: string, version: string, output: object, hash: string) {
  return {
    agent_id: id,
    name: id.replace(/-\w+$/, ''),
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    http_port: 9001,
    runtime: 'python',
    tools: [
      {
        function_name: 'get_date',
        capability: 'date_service',
        version,
        tags: ['system'],
        outputSchemaCanonical: output,
        outputSchemaHash: hash,
      },
    ],
  };
}

function consumer(id: string, dependency: Record<string, unknown>) {
  return {
    agent_id: id,
    name: id.replace(/-\w+$/, ''),
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    http_port: 9002,
    runtime: 'python',
    tools: [{ function_name: 'report', capability: 'report', dependencies: [dependency] as object[] }],
  };
}

type Resolved = { dependencies_resolved: Record<string, { agent_id: string; status: string }[]> };

describe('schema stage and resolution audit, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  let meshctl: string;
  const home = tempDir('mesh-audit-home-');
  const answers: { ours: Resolved[]; go: Resolved[] } = { ours: [], go: [] };

  beforeAll(async () => {
    [ours, go, { meshctl }] = await Promise.all([startRegistry(), startGoRegistry(), ensureMeshctl()]);
    const steps: [string, object][] = [
      ['POST', provider('old-1111', '1.0.0', DATE_OUT, 'sha256:aaa')],
      ['POST', provider('new-2222', '2.0.0', DAY_OUT, 'sha256:bbb')],
      // Subset on the date shape: the newer provider lacks `date`.
      [
        'POST',
        consumer('subset-3333', {
          capability: 'date_service',
          matchMode: 'subset',
          expectedSchemaCanonical: DATE_OUT,
          expectedSchemaHash: 'sha256:aaa',
        }),
      ],
      // Strict on a hash nobody publishes: nothing resolves.
      [
        'POST',
        consumer('strict-4444', {
          capability: 'date_service',
          matchMode: 'strict',
          expectedSchemaHash: 'sha256:zzz',
        }),
      ],
      // No schema stage, a tag: the newer provider wins.
      ['POST', consumer('plain-5555', { capability: 'date_service', tags: ['system'] })],
      ['DELETE', { agent_id: 'new-2222' }],
      // The same consumer again: its provider flips to the old one.
      ['POST', consumer('plain-5555', { capability: 'date_service', tags: ['system'] })],
    ];
    for (const [method, body] of steps) {
      for (const [name, base] of [
        ['ours', ours.baseUrl],
        ['go', go.baseUrl],
      ] as const) {
        if (method === 'DELETE') {
          await send(base, { method, path: `/agents/${(body as { agent_id: string }).agent_id}` });
          continue;
        }
        const res = await postJson(base, '/heartbeat', body);
        expect(res.status).toBe(200);
        answers[name].push(JSON.parse(res.body) as Resolved);
      }
    }
  }, 300_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
    home[Symbol.dispose]();
  });

  it('resolves every consumer as the Go registry does, schema stage included', () => {
    const picks = (list: Resolved[]) =>
      list.map((a) =>
        Object.values(a.dependencies_resolved ?? {}).flatMap((deps) =>
          deps.map((d) => [d.status, d.agent_id]),
        ),
      );
    expect(picks(answers.ours)).toEqual(picks(answers.go));
    expect(picks(answers.ours)).toEqual([
      [],
      [],
      [['available', 'old-1111']],
      [['unresolved', '']],
      [['available', 'new-2222']],
      [['available', 'old-1111']],
    ]);
  });

  it('logs the same dependency events, with the same traces', async () => {
    const events = async (base: string) => {
      const body = JSON.parse((await send(base, { path: '/events?limit=100' })).body) as {
        events: { event_type: string; agent_id: string; function_name?: string; data?: unknown }[];
      };
      return body.events
        .filter((e) => e.event_type.startsWith('dependency_'))
        .map(({ event_type, agent_id, function_name, data }) => ({
          event_type,
          agent_id,
          function_name,
          data,
        }));
    };
    const [a, b] = await Promise.all([events(ours.baseUrl), events(go.baseUrl)]);
    expect(a).toEqual(b);
    // Byte for byte too, times masked: Go escapes `>` in the version constraint as \u003e.
    const bytes = async (base: string) =>
      (await send(base, { path: '/events?type=dependency_resolved' })).body.replace(
        /"timestamp":"[^"]+"/g,
        '',
      );
    const [x, y] = await Promise.all([bytes(ours.baseUrl), bytes(go.baseUrl)]);
    expect(x).toBe(y);
    expect(a.map((e) => [e.event_type, e.agent_id])).toEqual([
      ['dependency_resolved', 'plain-5555'],
      ['dependency_resolved', 'plain-5555'],
      ['dependency_unresolved', 'strict-4444'],
      ['dependency_resolved', 'subset-3333'],
    ]);
  });

  it('lists dependency_resolutions in GET /agents as the Go registry does (available ones first)', async () => {
    const multi = consumer('multi-6666', { capability: 'nobody_provides_this' });
    multi.tools[0]!.dependencies.push({ capability: 'date_service', tags: ['system'] });
    for (const base of [ours.baseUrl, go.baseUrl])
      expect((await postJson(base, '/heartbeat', multi)).status).toBe(200);
    const listed = async (base: string) => {
      const body = JSON.parse((await send(base, { path: '/agents' })).body) as {
        agents: { id: string; dependency_resolutions: unknown }[];
      };
      return body.agents
        .map((a) => [a.id, a.dependency_resolutions])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    };
    const [a, b] = await Promise.all([listed(ours.baseUrl), listed(go.baseUrl)]);
    expect(a).toEqual(b);
    const [, multiResolutions] = a.find(([id]) => id === 'multi-6666')!;
    expect((multiResolutions as { status: string }[]).map((r) => r.status)).toEqual([
      'available',
      'unresolved',
    ]);
  });

  it('gives meshctl audit the same answer', async () => {
    const audit = async (base: string, ...args: string[]) =>
      (
        await execFileAsync(meshctl, ['audit', 'plain-5555', ...args, '--registry-url', base], {
          timeout: 30_000,
          env: { PATH: process.env.PATH, HOME: home.path, NO_COLOR: '1' },
        })
      ).stdout;
    const mask = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, '<time>');
    for (const args of [
      ['--json'],
      ['--explain'],
      [],
      ['--dep', '0'],
      ['--function', 'report', '--limit', '1'],
      ['--explain', '--dep', '0', '--limit', '1'],
    ]) {
      const [a, b] = await Promise.all([audit(ours.baseUrl, ...args), audit(go.baseUrl, ...args)]);
      expect(mask(a)).toEqual(mask(b));
      expect(a).toContain('new-2222');
    }
  });
});
