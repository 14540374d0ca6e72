/**
 * `llm_tools` and `llm_providers` in the answer to the current protocol's `POST /heartbeat`, asked
 * of ours and of the Go registry 3.7.1 side by side: the same providers registered in the same
 * order, then an `@mesh.llm` consumer with several filters and provider specs. Where Go's answer
 * is deterministic, ours must be byte for byte the same; `best_match` lists (whose order is a Go
 * map's) are compared as sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

const TIMESTAMP = /"timestamp":"[^"]*"/g;

const schema = (property: string) => ({
  type: 'object',
  properties: { [property]: { type: 'string', description: `the ${property}` } },
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
        description: 'Current weather',
        inputSchema: schema('city'),
        kwargs: { timeout: 30 },
      },
      {
        function_name: 'get_forecast',
        capability: 'weather',
        version: '2.0.0',
        tags: ['weather'],
        inputSchema: schema('days'),
      },
      { function_name: 'weather_internals', capability: 'weather', version: '3.0.0' },
    ],
    { http_host: '0.0.0.0' },
  ),
  agent('weather-bb22', 0, [
    {
      function_name: 'get_weather',
      capability: 'weather',
      version: '1.5.0',
      tags: ['weather', 'slow'],
      inputSchema: schema('place'),
    },
    { function_name: 'convert', capability: 'units', version: '1.0', inputSchema: schema('value') },
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
        kwargs: { vendor: 'anthropic', max_tokens: 4096, options: { stream: true, cache: false } },
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
        kwargs: { vendor: 'openai' },
      },
    ],
    { http_host: '127.0.0.1' },
  ),
  agent('ollama-ee55', 9104, [
    {
      function_name: 'local_chat',
      capability: 'llm',
      version: '2.0.0',
      tags: ['llm'],
      description: 'a local model',
      inputSchema: schema('prompt'),
      kwargs: { vendor: 7 },
    },
  ]),
];

/** A provider that goes away (unhealthy): never offered. */
const SICK = agent('sick-ff66', 9105, [
  {
    function_name: 'sick_weather',
    capability: 'weather',
    version: '9.0.0',
    tags: ['weather', 'fast'],
    inputSchema: schema('city'),
  },
]);

const CONSUMER = agent('assistant-0a1b', 9200, [
  {
    function_name: 'helper',
    capability: 'assistant_help',
    tags: ['llm'],
    inputSchema: schema('topic'),
  },
  { function_name: 'ask_all', capability: 'ask', llm_filter: { filter: ['weather'] } },
  {
    function_name: 'ask_star',
    capability: 'ask',
    llm_filter: { filter: ['ignored'], filter_mode: '*', inject_param: 'llm' },
  },
  { function_name: 'ask_every', capability: 'ask', llm_filter: { filter: ['*'] } },
  {
    function_name: 'ask_mixed',
    capability: 'ask',
    llm_filter: {
      filter: [
        { capability: 'weather', tags: ['+fast', 'weather'] },
        'units',
        { tags: ['llm', '-openai'] },
        { capability: 'llm', version: '>=2.0.0' },
        { version: '^1.0', capability: 'weather' },
      ],
      filter_mode: 'all',
    },
  },
  {
    function_name: 'ask_tags_only',
    capability: 'ask',
    llm_filter: { filter: [{ tags: ['+slow', '+fast'] }], filter_mode: 'unknown-mode' },
  },
  {
    function_name: 'ask_best',
    capability: 'ask',
    llm_filter: { filter: ['weather', 'llm', 'units'], filter_mode: 'best_match' },
  },
  { function_name: 'ask_nothing', capability: 'ask', llm_filter: { filter: [] } },
  { function_name: 'ask_empty', capability: 'ask', llm_filter: {} },
  {
    function_name: 'ask_badmode',
    capability: 'ask',
    llm_filter: { filter: ['units'], filter_mode: 7, extra: true },
  },
  { function_name: 'ask_bad', capability: 'ask', llm_filter: { filter: ['weather', 5] } },
  { function_name: 'ask_null', capability: 'ask', llm_filter: { filter: [null] } },
  { function_name: 'ask_nofilter', capability: 'ask', llm_filter: { filter_mode: 'all' } },
  { function_name: 'ask_notarray', capability: 'ask', llm_filter: { filter: 'weather' } },
  {
    function_name: 'chat_claude',
    capability: 'chat',
    llm_provider: { capability: 'llm', tags: ['+claude'] },
  },
  { function_name: 'chat_tagged', capability: 'chat', llm_provider: { capability: 'llm', tags: ['llm'] } },
  { function_name: 'chat_first', capability: 'chat', llm_provider: { capability: 'llm', namespace: 'x' } },
  {
    function_name: 'chat_version',
    capability: 'chat',
    llm_provider: { capability: 'llm', version: '^2.0.0', tags: ['-openai'] },
  },
  { function_name: 'chat_gpt', capability: 'chat', llm_provider: { capability: 'llm', tags: ['openai'] } },
  { function_name: 'chat_own', capability: 'chat', llm_provider: { capability: 'assistant_help' } },
  { function_name: 'chat_none', capability: 'chat', llm_provider: { capability: 'nobody' } },
  { function_name: 'chat_empty', capability: 'chat', llm_provider: { capability: '' } },
  {
    function_name: 'both',
    capability: 'chat',
    llm_filter: { filter: [{ capability: 'weather', tags: ['slow'] }] },
    llm_provider: { capability: 'llm', tags: ['+openai'] },
  },
]);

interface Answer {
  llm_tools: Record<string, { name: string; capability: string }[]>;
  llm_providers?: Record<string, unknown>;
  [key: string]: unknown;
}

describe('llm_tools and llm_providers, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  const bases = () => [ours.baseUrl, go.baseUrl];

  /** Posts to both, in the same order, and expects 200 from both. */
  const register = async (body: unknown) => {
    for (const base of bases()) expect((await postJson(base, '/heartbeat', body)).status).toBe(200);
  };
  const ask = async (body: unknown): Promise<[string, string]> => {
    const [a, b] = await Promise.all(bases().map((base) => postJson(base, '/heartbeat', body)));
    expect([a?.status, b?.status]).toEqual([200, 200]);
    return [a?.body ?? '', b?.body ?? ''];
  };

  /** The answers with best_match lists compared as sets and then set aside, the rest byte for byte. */
  const expectSameAnswers = (oursBody: string, goBody: string, bestMatch: string[]) => {
    const a = JSON.parse(oursBody) as Answer;
    const b = JSON.parse(goBody) as Answer;
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const fn of bestMatch) {
      const names = (answer: Answer) => (answer.llm_tools[fn] ?? []).map((t) => JSON.stringify(t)).sort();
      expect(names(a)).toEqual(names(b));
      delete a.llm_tools[fn];
      delete b.llm_tools[fn];
    }
    expect(JSON.stringify(a).replace(TIMESTAMP, '')).toBe(JSON.stringify(b).replace(TIMESTAMP, ''));
    return JSON.parse(oursBody) as Answer;
  };

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it('answers the same tools and providers for every filter form, mode and provider spec', async () => {
    await register(SICK);
    for (const base of bases()) {
      expect((await send(base, { method: 'DELETE', path: '/agents/sick-ff66' })).status).toBe(204);
    }
    for (const provider of PROVIDERS) await register(provider);
    const [a, b] = await ask(CONSUMER);
    const answer = expectSameAnswers(a, b, ['ask_best']);
    // The key order of the Go answer: llm_providers between dependencies_resolved and llm_tools.
    expect(Object.keys(answer)).toEqual([
      'agent_id',
      'dependencies_resolved',
      'llm_providers',
      'llm_tools',
      'message',
      'status',
      'timestamp',
    ]);
    const names = (fn: string) => answer.llm_tools[fn]?.map((t) => t.name);
    expect(names('ask_all')).toEqual(['get_weather', 'get_forecast']);
    expect(names('ask_nothing')).toEqual([]);
    expect(answer.llm_tools).not.toHaveProperty('ask_bad');
    expect(answer.llm_tools).not.toHaveProperty('ask_nofilter');
    expect(names('ask_star')).not.toContain('helper');
    expect(names('ask_every')).toContain('helper');
    expect(names('ask_best')?.length).toBe(3);
    expect(Object.keys(answer.llm_providers ?? {})).toEqual([
      'both',
      'chat_claude',
      'chat_first',
      'chat_gpt',
      'chat_own',
      'chat_tagged',
      'chat_version',
    ]);
  });

  it("lists each tool's llm_filter and llm_provider in GET /agents as the Go registry does", async () => {
    const specs = async (base: string) => {
      const body = JSON.parse((await send(base, { path: '/agents' })).body) as {
        agents: { id: string; capabilities: Record<string, unknown>[] }[];
      };
      const consumer = body.agents.find((a) => a.id === 'assistant-0a1b');
      return JSON.stringify(
        consumer?.capabilities.map((c) => [c.function_name, c.llm_filter, c.llm_provider]),
      );
    };
    const [a, b] = await Promise.all(bases().map(specs));
    expect(a).toBe(b);
    expect(a).toContain('"filter_mode":"*","inject_param":"llm"');
  });

  it('follows the order the registry wrote the tools in: a provider that sends its full heartbeat again comes last', async () => {
    for (const provider of PROVIDERS) await register(provider);
    await register(PROVIDERS[0]);
    const [a, b] = await ask(CONSUMER);
    const answer = expectSameAnswers(a, b, ['ask_best']);
    expect(answer.llm_tools.ask_all?.map((t) => t.name)).toEqual(['get_weather', 'get_forecast']);
    expect(answer.llm_tools.ask_all?.[0]).toMatchObject({ endpoint: 'stdio://weather-bb22' });
  });

  it('leaves llm_providers out when nothing resolves, and answers llm_tools {} without filters', async () => {
    const [a, b] = await ask(
      agent('plain-1c2d', 0, [
        { function_name: 'alone', capability: 'solo', llm_provider: { capability: 'nobody' } },
      ]),
    );
    const answer = expectSameAnswers(a, b, []);
    expect(answer).not.toHaveProperty('llm_providers');
    expect(answer.llm_tools).toEqual({});
  });

  it('tells an LLM consumer (HEAD 202) to send its full heartbeat again when a tool provider registers', async () => {
    const consumer = agent('llm-head-7c8d', 0, [
      { function_name: 'ask', capability: 'ask', llm_filter: { filter: ['late'] } },
    ]);
    const late = agent('late-9e0f', 0, [
      { function_name: 'late_tool', capability: 'late', inputSchema: schema('x') },
    ]);
    const head = async (base: string) =>
      (await send(base, { method: 'HEAD', path: '/heartbeat/llm-head-7c8d' })).status;
    await register(consumer);
    // Go compares event times against the last full refresh: leave a moment between them.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await Promise.all(bases().map(head))).toEqual([200, 200]);
    await register(late);
    expect(await Promise.all(bases().map(head))).toEqual([202, 202]);
    const [a, b] = await ask(consumer);
    const answer = expectSameAnswers(a, b, []);
    expect(answer.llm_tools.ask?.map((t) => t.name)).toEqual(['late_tool']);
  });

  it.each([
    ['llm_filter', []],
    ['llm_filter', 'weather'],
    ['llm_filter', 3],
    ['llm_filter', true],
    ['llm_provider', 'llm'],
    ['llm_provider', []],
    ['llm_provider', { capability: 5 }],
    ['llm_provider', { capability: 'llm', tags: [1] }],
    ['llm_provider', { capability: 'llm', tags: 'llm' }],
    ['llm_provider', { capability: 'llm', tags: [['a', 'b']] }],
    ['llm_provider', { capability: 'llm', version: 2 }],
  ])('refuses a tool whose %s is %j with 400, as the Go registry does', async (key, value) => {
    const body = agent('refused-3e4f', 0, [{ function_name: 'f', capability: 'c', [key]: value }]);
    const statuses = await Promise.all(
      bases().map(async (base) => (await postJson(base, '/heartbeat', body)).status),
    );
    expect(statuses).toEqual([400, 400]);
  });

  it.each([
    ['llm_filter', null],
    ['llm_provider', null],
    ['llm_provider', {}],
    ['llm_provider', { capability: null, tags: null, version: null, namespace: null, other: [1] }],
  ])('accepts a tool whose %s is %j, as the Go registry does', async (key, value) => {
    const body = agent('accepted-5a6b', 0, [{ function_name: 'f', capability: 'c', [key]: value }]);
    const [a, b] = await ask(body);
    expectSameAnswers(a, b, []);
  });
});
