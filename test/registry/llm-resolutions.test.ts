/**
 * `llm_tool_resolutions` and `llm_provider_resolutions` in `GET /agents`, ours beside the Go
 * registry 3.7.1: the same providers and `@mesh.llm` consumers registered on both, then the two
 * lists compared byte for byte for every agent, before and after providers are DELETEd, and as
 * the upstream `meshctl status` shows them. Go stores the lists at the consumer's full heartbeat
 * (and marks rows of a provider that leaves `unavailable` until that consumer's next one); ours
 * are computed when listed, so right after a DELETE they differ in the documented way and agree
 * again once the consumer sends its full heartbeat (as the SDK does when HEAD answers 202).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { postJson, send } from '../helpers/http-request.js';
import { ensureMeshctl } from '../helpers/python-env.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

const schema = (property: string) => ({
  type: 'object',
  properties: { [property]: { type: 'string' } },
  required: [property],
});

const agent = (id: string, port: number, tools: unknown[], extra: Record<string, unknown> = {}) => ({
  agent_id: id,
  name: id.replace(/-\w+$/, ''),
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_port: port,
  namespace: 'default',
  runtime: 'python',
  tools,
  ...extra,
});

/** The providers, registered in this order on both registries. */
const PROVIDERS = [
  agent(
    'weather-aa11',
    9101,
    [
      {
        function_name: 'get_weather',
        capability: 'weather',
        version: '1.2.0',
        tags: ['weather', 'fast'],
        inputSchema: schema('city'),
      },
      {
        function_name: 'get_forecast',
        capability: 'weather',
        version: '2.0.0',
        tags: ['weather'],
        inputSchema: schema('days'),
      },
      // No input schema: never given to an LLM.
      { function_name: 'weather_internals', capability: 'weather', version: '3.0.0' },
    ],
    { http_host: '0.0.0.0' },
  ),
  agent('units-bb22', 0, [
    { function_name: 'convert', capability: 'units', tags: ['slow'], inputSchema: schema('value') },
  ]),
  agent(
    'claude-cc33',
    9102,
    [
      {
        function_name: 'claude_chat',
        capability: 'llm',
        version: '1.0.0',
        tags: ['llm', 'claude'],
        inputSchema: schema('prompt'),
        kwargs: { vendor: 'anthropic' },
      },
    ],
    { http_host: 'llm.example' },
  ),
  agent(
    'openai-dd44',
    9103,
    [
      {
        function_name: 'gpt_chat',
        capability: 'llm',
        version: '2.0.0',
        tags: ['llm', 'openai'],
        inputSchema: schema('prompt'),
      },
    ],
    { http_host: 'http://gpt.example' },
  ),
];

/** Registered, then DELETEd before any consumer: never offered. */
const GONE = agent('gone-ee55', 9104, [
  { function_name: 'gone_weather', capability: 'weather', tags: ['fast'], inputSchema: schema('city') },
]);

const CONSUMER = agent('assistant-0a1b', 9200, [
  // Comes first, resolves nothing: listed after every available entry, as Go lists its rows.
  { function_name: 'ask_nobody', capability: 'ask', llm_filter: { filter: ['nobody'] } },
  {
    function_name: 'helper',
    capability: 'assistant_help',
    tags: ['llm'],
    inputSchema: schema('topic'),
  },
  { function_name: 'ask_weather', capability: 'ask', llm_filter: { filter: ['weather'] } },
  {
    function_name: 'ask_mixed',
    capability: 'ask',
    llm_filter: {
      filter: [
        { capability: 'weather', tags: ['+fast'] },
        'units',
        { tags: ['llm', '-openai', 3] },
        '*',
        { capability: 'llm', version: '>=2.0.0' },
        { version: '^1.0' },
        {},
      ],
      filter_mode: 'all',
    },
  },
  {
    function_name: 'ask_star',
    capability: 'ask',
    llm_filter: { filter: ['units', 'ignored'], filter_mode: '*', inject_param: 'llm' },
  },
  {
    function_name: 'ask_best',
    capability: 'ask',
    llm_filter: { filter: ['weather', 'llm'], filter_mode: 'best_match' },
  },
  { function_name: 'ask_badmode', capability: 'ask', llm_filter: { filter: ['units'], filter_mode: 7 } },
  // An element of no known form: no llm_tools entry, so every element is unresolved.
  { function_name: 'ask_bad', capability: 'ask', llm_filter: { filter: ['weather', 5, null] } },
  { function_name: 'ask_nothing', capability: 'ask', llm_filter: { filter: [] } },
  { function_name: 'ask_nofilter', capability: 'ask', llm_filter: { filter_mode: 'all' } },
  {
    function_name: 'chat_claude',
    capability: 'chat',
    llm_provider: { capability: 'llm', tags: ['+claude'] },
  },
  {
    function_name: 'chat_gpt',
    capability: 'chat',
    llm_provider: { capability: 'llm', tags: ['openai', 'llm'] },
  },
  { function_name: 'chat_first', capability: 'chat', llm_provider: { capability: 'llm', namespace: 'x' } },
  { function_name: 'chat_none', capability: 'chat', llm_provider: { capability: 'nobody', version: '>=1' } },
  { function_name: 'chat_empty', capability: 'chat', llm_provider: { capability: '' } },
  { function_name: 'chat_null', capability: 'chat', llm_provider: { capability: null, tags: null } },
  {
    function_name: 'both',
    capability: 'chat',
    llm_filter: { filter: [{ capability: 'weather', tags: ['slow'] }, { tags: ['slow'] }] },
    llm_provider: { capability: 'llm', tags: ['-claude'] },
  },
]);

/** A second consumer, with a provider spec only; then an agent without `@mesh.llm` functions. */
const CHATTER = agent('chatter-2c3d', 0, [
  { function_name: 'talk', capability: 'talk', llm_provider: { capability: 'llm', tags: ['claude'] } },
]);
const PLAIN = agent('plain-4e5f', 0, [
  { function_name: 'plain', capability: 'plain', inputSchema: schema('x') },
]);

const meshctlHome = tempDir('mesh-meshctl-home-');
afterAll(() => meshctlHome[Symbol.dispose]());

/** meshctl's exit code and output on each registry, times replaced. */
async function meshctlOnBoth(urls: string[], args: string[]) {
  const { meshctl } = await ensureMeshctl();
  const outputs = await Promise.all(
    urls.map(async (url) => {
      try {
        const { stdout, stderr } = await run(meshctl, [...args, '--registry-url', url], {
          env: { PATH: process.env.PATH, HOME: meshctlHome.path },
          timeout: 30_000,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    }),
  );
  return outputs.map((o, i) => ({
    ...o,
    stdout: o.stdout
      .replaceAll(urls[i] ?? '', '<registry>')
      .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?/g, '<time>')
      // "Last Seen : … (0s ago)" on one registry and "(1s ago)" on the other is a second's tick
      // between the two runs, not a difference of the registries.
      .replace(/\((\d+[smhd])+ ago\)/g, '(<age> ago)'),
  }));
}

interface Listed {
  id: string;
  llm_tool_resolutions: Record<string, unknown>[] | null;
  llm_provider_resolutions: Record<string, unknown>[] | null;
}

describe('llm_tool_resolutions and llm_provider_resolutions in GET /agents, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  const bases = () => [ours.baseUrl, go.baseUrl];

  const register = async (body: unknown) => {
    for (const base of bases()) expect((await postJson(base, '/heartbeat', body)).status).toBe(200);
  };
  const remove = async (id: string) => {
    for (const base of bases()) {
      expect((await send(base, { method: 'DELETE', path: `/agents/${id}` })).status).toBe(204);
    }
  };
  /** Each agent's two lists, as JSON text, from one registry. */
  const resolutions = async (base: string): Promise<Record<string, string>> => {
    const listed = JSON.parse((await send(base, { path: '/agents' })).body) as { agents: Listed[] };
    return Object.fromEntries(
      listed.agents.map((a) => [a.id, JSON.stringify([a.llm_tool_resolutions, a.llm_provider_resolutions])]),
    );
  };
  /** Both registries' lists, agent by agent, must be the same; answers ours. */
  const expectSameLists = async () => {
    const [a, b] = await Promise.all([resolutions(ours.baseUrl), resolutions(go.baseUrl)]);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const id of Object.keys(b)) expect([id, a[id]]).toEqual([id, b[id]]);
    return a;
  };
  const listedOn = async (base: string, id: string) =>
    JSON.parse((await resolutions(base))[id] ?? 'null') as [
      Listed['llm_tool_resolutions'],
      Listed['llm_provider_resolutions'],
    ];

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
    await register(GONE);
    await remove('gone-ee55');
    for (const provider of [...PROVIDERS, PLAIN]) await register(provider);
    for (const consumer of [CONSUMER, CHATTER]) await register(consumer);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it('lists the same entries for every agent, for every filter form and provider spec', async () => {
    const a = await expectSameLists();
    // Agents without @mesh.llm functions list null, as Go does.
    expect(a['plain-4e5f']).toBe('[null,null]');
    expect(a['weather-aa11']).toBe('[null,null]');
    const [tools, providers] = await listedOn(ours.baseUrl, 'assistant-0a1b');
    const summary = (tools ?? []).map(
      (t) => `${t.function_name}:${t.filter_capability}:${t.mcp_tool ?? '-'}`,
    );
    expect(summary).toContain('ask_weather:weather:get_weather');
    expect(summary).toContain('ask_mixed:*:-');
    expect(summary).toContain('ask_bad:weather:-');
    expect(summary.at(-1)).toBe('both:weather:-');
    expect(summary.indexOf('ask_nobody:nobody:-')).toBeGreaterThan(summary.indexOf('both::convert'));
    expect(summary.some((s) => s.startsWith('ask_nothing') || s.startsWith('ask_nofilter'))).toBe(false);
    expect((providers ?? []).map((p) => `${p.function_name}:${p.status}`)).toEqual([
      'chat_claude:available',
      'chat_gpt:available',
      'chat_first:available',
      'both:available',
      'chat_none:unresolved',
    ]);
  });

  it('after providers are DELETEd: Go keeps their entries as unavailable until the consumer sends its full heartbeat, ours lists the current choice; then both agree', async () => {
    const [before] = await listedOn(go.baseUrl, 'assistant-0a1b');
    await remove('units-bb22');
    await remove('claude-cc33');
    const gone = new Set(['units-bb22', 'claude-cc33']);
    const [goTools, goProviders] = await listedOn(go.baseUrl, 'assistant-0a1b');
    // Go: the same entries, those of the departed providers marked unavailable (still naming them).
    const marked = (entries: Record<string, unknown>[] | null) =>
      (entries ?? []).map((e) =>
        gone.has(e.provider_agent_id as string) ? { ...e, status: 'unavailable' } : e,
      );
    const byStatus = (entries: Record<string, unknown>[]) =>
      [...entries].sort((x, y) => (x.status as string).localeCompare(y.status as string));
    expect(goTools).toEqual(byStatus(marked(before)));
    expect(goProviders?.find((p) => p.function_name === 'chat_claude')).toMatchObject({
      provider_agent_id: 'claude-cc33',
      status: 'unavailable',
    });
    // Ours: what the consumer's next full heartbeat gives, already.
    const [oursTools, oursProviders] = await listedOn(ours.baseUrl, 'assistant-0a1b');
    expect(JSON.stringify([oursTools, oursProviders])).not.toContain('"unavailable"');
    expect(oursTools?.filter((t) => gone.has(t.provider_agent_id as string))).toEqual([]);
    // `+claude` only prefers: the other provider of the capability is chosen now.
    expect(oursProviders?.find((p) => p.function_name === 'chat_claude')).toMatchObject({
      provider_agent_id: 'openai-dd44',
      status: 'available',
    });
    expect(await listedOn(ours.baseUrl, 'chatter-2c3d')).toEqual([
      null,
      [
        {
          function_name: 'talk',
          required_capability: 'llm',
          required_tags: ['claude'],
          status: 'unresolved',
        },
      ],
    ]);
    for (const consumer of [CONSUMER, CHATTER]) await register(consumer);
    await expectSameLists();
  });

  it('lists them again once the provider is back and the consumer sent its full heartbeat', async () => {
    await register(PROVIDERS[1]);
    await register(PROVIDERS[2]);
    for (const consumer of [CONSUMER, CHATTER]) await register(consumer);
    const a = await expectSameLists();
    expect(a['chatter-2c3d']).toContain('"provider_agent_id":"claude-cc33"');
  });

  it("lists a tool provider that registered after the consumer at once (Go: after the consumer's full heartbeat)", async () => {
    const late = agent('late-6a7b', 0, [
      { function_name: 'late_units', capability: 'units', inputSchema: schema('v') },
    ]);
    await register(late);
    const has = (listed: Awaited<ReturnType<typeof listedOn>>) =>
      (listed[0] ?? []).some((t) => t.provider_agent_id === 'late-6a7b');
    expect([
      has(await listedOn(ours.baseUrl, 'assistant-0a1b')),
      has(await listedOn(go.baseUrl, 'assistant-0a1b')),
    ]).toEqual([true, false]);
    await register(CONSUMER);
    await expectSameLists();
    expect(has(await listedOn(go.baseUrl, 'assistant-0a1b'))).toBe(true);
  });

  it('meshctl 3.7.1 cannot read a listing with a string filter element, from either registry', async () => {
    // It reads every element of llm_filter.filter as an object: status fails, list --json lists no agents.
    const [a, b] = await meshctlOnBoth(bases(), ['status', 'assistant-0a1b']);
    expect(a?.code).toBe(1);
    expect(a?.stderr).toContain('cannot unmarshal string into Go struct field LLMToolFilter');
    expect(a).toEqual(b);
    const [c, d] = await meshctlOnBoth(bases(), ['list', '--json']);
    expect(c?.stdout).toContain('"agents": null');
    expect(c).toEqual(d);
  });
});

/** An @mesh.llm consumer whose filters meshctl can read (objects only). */
const READABLE = agent(
  'llmuser-7d8e',
  9300,
  [
    {
      function_name: 'ask',
      capability: 'ask',
      llm_filter: {
        filter: [{ capability: 'weather', tags: ['+fast'] }, { capability: 'nobody' }, { tags: ['slow'] }],
        filter_mode: 'all',
      },
    },
    { function_name: 'chat', capability: 'chat', llm_provider: { capability: 'llm', tags: ['claude'] } },
    { function_name: 'chat_none', capability: 'chat', llm_provider: { capability: 'nobody' } },
  ],
  { http_host: 'llmuser.example' },
);

describe('LLM resolutions as the upstream meshctl shows them, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  const bases = () => [ours.baseUrl, go.baseUrl];
  const register = async (body: unknown) => {
    for (const base of bases()) expect((await postJson(base, '/heartbeat', body)).status).toBe(200);
  };
  /** The same meshctl commands on both: same exit code and output, times aside. */
  const expectSameMeshctl = async () => {
    const shown: string[] = [];
    for (const args of [
      ['status', 'llmuser-7d8e'],
      ['status', 'llmuser-7d8e', '--json'],
      ['list', '--json'],
    ]) {
      const [a, b] = await meshctlOnBoth(bases(), args);
      expect(a?.code, a?.stderr).toBe(0);
      expect(a).toEqual(b);
      shown.push(a?.stdout ?? '');
    }
    return shown;
  };

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
    for (const provider of PROVIDERS) await register(provider);
    await register(READABLE);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it('prints the same LLM tool and provider resolutions in status, status --json and list --json', async () => {
    const [status, statusJson, listJson] = await expectSameMeshctl();
    expect(status).toContain('LLM Tool Resolutions (6)');
    expect(status).toMatch(/ask +\+fast +get_weather +http:\/\/localhost:9101/);
    expect(status).toMatch(/ask +nobody +NOT FOUND +-/);
    expect(status).toContain('LLM Provider Resolutions (2)');
    expect(status).toMatch(/chat +llm +claude_chat +http:\/\/llm\.example:9102/);
    expect(statusJson).toContain('"llm_tool_resolutions": [');
    expect(listJson).toContain('"llm_provider_resolutions": [');
  });

  it('prints the same once a provider is DELETEd and the consumer sent its full heartbeat', async () => {
    for (const base of bases()) {
      expect((await send(base, { method: 'DELETE', path: '/agents/claude-cc33' })).status).toBe(204);
    }
    await register(READABLE);
    const [status] = await expectSameMeshctl();
    expect(status).toMatch(/chat +llm +NOT FOUND +-/);
  });
});
