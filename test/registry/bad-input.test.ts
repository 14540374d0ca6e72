import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

/** FastAPI's 422 list, `{detail}`, plain text, or the Go registry's `{error, timestamp}`. */
type Shape = 'list' | 'detail' | 'text' | 'error';
interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  shape: Shape;
  /** Checks the body beyond its shape. */
  check?: (body: unknown) => void;
}

const REGISTER = '/agents/register_with_metadata';
const reg = (metadata: unknown, agentId: unknown = 'bad-agent', timestamp: unknown = 't') =>
  JSON.stringify({ agent_id: agentId, metadata, timestamp });
const hasType = (type: string, loc?: unknown[]) => (body: unknown) => {
  const detail = (body as { detail: { type: string; loc: unknown[] }[] }).detail;
  expect(detail.map((d) => d.type)).toContain(type);
  if (loc) expect(detail.map((d) => d.loc)).toContainEqual(loc);
};
/** A current-protocol heartbeat (one with `tools`) with `tools` replaced. */
const current = (tools: unknown[]) =>
  JSON.stringify({
    agent_id: 'limits-abc12345',
    name: 'limits',
    http_host: '127.0.0.1',
    http_port: 9,
    tools,
  });
const tool = (extra: Record<string, unknown> = {}) => ({ function_name: 'f', capability: 'c', ...extra });
const errorSays = (text: string) => (body: unknown) =>
  expect((body as { error: string }).error).toContain(text);
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const CASES: Case[] = [
  // Bodies that are not JSON objects.
  {
    name: 'invalid JSON',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id": ',
    status: 422,
    shape: 'list',
    check: hasType('json_invalid'),
  },
  {
    name: 'truncated JSON string',
    method: 'POST',
    path: REGISTER,
    body: '{"agent_id": "x',
    status: 422,
    shape: 'list',
    check: hasType('json_invalid'),
  },
  {
    name: 'single-quoted JSON',
    method: 'POST',
    path: '/heartbeat',
    body: "{'agent_id': 'x'}",
    status: 422,
    shape: 'list',
    check: hasType('json_invalid'),
  },
  {
    name: 'trailing garbage after JSON',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id":"x"} x',
    status: 422,
    shape: 'list',
    check: hasType('json_invalid'),
  },
  {
    name: 'empty body',
    method: 'POST',
    path: '/heartbeat',
    body: '',
    status: 422,
    shape: 'list',
    check: hasType('missing', ['body']),
  },
  {
    name: 'JSON null body',
    method: 'POST',
    path: REGISTER,
    body: 'null',
    status: 422,
    shape: 'list',
    check: hasType('missing', ['body']),
  },
  {
    name: 'array body',
    method: 'POST',
    path: '/heartbeat',
    body: '[]',
    status: 422,
    shape: 'list',
    check: hasType('model_attributes_type', ['body']),
  },
  {
    name: 'string body',
    method: 'POST',
    path: REGISTER,
    body: '"x"',
    status: 422,
    shape: 'list',
    check: hasType('model_attributes_type', ['body']),
  },
  {
    name: 'number body',
    method: 'POST',
    path: REGISTER,
    body: '5',
    status: 422,
    shape: 'list',
    check: hasType('model_attributes_type'),
  },
  // Content types a browser sends across origins without a preflight change nothing (415).
  {
    name: 'form-encoded body',
    method: 'POST',
    path: '/heartbeat',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'agent_id=x',
    status: 415,
    shape: 'detail',
  },
  {
    name: 'text/plain body',
    method: 'POST',
    path: REGISTER,
    headers: { 'content-type': 'text/plain' },
    body: '{"agent_id":"x"}',
    status: 415,
    shape: 'detail',
  },
  {
    name: 'non-UTF-8 bytes',
    method: 'POST',
    path: '/heartbeat',
    body: Buffer.from([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x7d]),
    status: 400,
    shape: 'detail',
  },
  {
    name: 'lone surrogate bytes (CESU)',
    method: 'POST',
    path: REGISTER,
    body: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
    status: 400,
    shape: 'detail',
  },
  {
    name: '100,000 nested arrays',
    method: 'POST',
    path: REGISTER,
    body: deep(100_000),
    status: 400,
    shape: 'detail',
  },
  {
    name: '100,000 nested objects in metadata',
    method: 'POST',
    path: REGISTER,
    body: `{"agent_id":"x","timestamp":"t","metadata":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    status: 400,
    shape: 'detail',
  },
  {
    name: 'body over the size limit',
    method: 'POST',
    path: REGISTER,
    body: reg({ metadata: { blob: 'x'.repeat(11 * 1024 * 1024) } }),
    status: 413,
    shape: 'detail',
  },
  // Missing and mistyped top-level fields.
  {
    name: 'heartbeat without agent_id',
    method: 'POST',
    path: '/heartbeat',
    body: '{}',
    status: 422,
    shape: 'list',
    check: hasType('missing', ['body', 'agent_id']),
  },
  {
    name: 'heartbeat with numeric agent_id',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id":42}',
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'agent_id']),
  },
  {
    name: 'heartbeat with null agent_id',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id":null}',
    status: 422,
    shape: 'list',
    check: hasType('string_type'),
  },
  {
    name: 'heartbeat with string metadata',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id":"a","metadata":"x"}',
    status: 422,
    shape: 'list',
    check: hasType('dict_type', ['body', 'metadata']),
  },
  {
    name: 'heartbeat with numeric status',
    method: 'POST',
    path: '/heartbeat',
    body: '{"agent_id":"a","status":1}',
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'status']),
  },
  {
    name: 'registration without fields',
    method: 'POST',
    path: REGISTER,
    body: '{}',
    status: 422,
    shape: 'list',
    check: (b) => expect((b as { detail: unknown[] }).detail).toHaveLength(3),
  },
  {
    name: 'registration with array metadata',
    method: 'POST',
    path: REGISTER,
    body: JSON.stringify({ agent_id: 'x', metadata: [], timestamp: 't' }),
    status: 422,
    shape: 'list',
    check: hasType('dict_type', ['body', 'metadata']),
  },
  {
    name: 'registration with numeric timestamp',
    method: 'POST',
    path: REGISTER,
    body: JSON.stringify({ agent_id: 'x', metadata: {}, timestamp: 5 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'timestamp']),
  },
  {
    name: 'registration with object agent_id',
    method: 'POST',
    path: REGISTER,
    body: reg({}, { a: 1 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'agent_id']),
  },
  // Wrong content inside metadata (answered 500 by the original, 422 here).
  {
    name: 'capability name starting with a digit',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: '2fast' }] }),
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['body', 'metadata', 'capabilities', 0, 'name']),
  },
  {
    name: 'capability name with a space',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'a b' }] }),
    status: 422,
    shape: 'list',
    check: hasType('value_error'),
  },
  {
    name: 'capability version with dotted pre-release',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'ok', version: '2.1.0-beta.1' }] }),
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['body', 'metadata', 'capabilities', 0, 'version']),
  },
  {
    name: 'numeric capability name',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 7 }] }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'capabilities', 0, 'name']),
  },
  {
    name: 'capability tags as a string',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'ok', tags: 'io' }] }),
    status: 422,
    shape: 'list',
    check: hasType('list_type'),
  },
  {
    name: 'capability tag that is a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'ok', tags: [1] }] }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'capabilities', 0, 'tags', 0]),
  },
  {
    name: 'capabilities as a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: 5 }),
    status: 422,
    shape: 'list',
    check: hasType('list_type'),
  },
  {
    name: 'name null',
    method: 'POST',
    path: REGISTER,
    body: reg({ name: null }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'name']),
  },
  {
    name: 'name as a list',
    method: 'POST',
    path: REGISTER,
    body: reg({ name: ['a'] }),
    status: 422,
    shape: 'list',
    check: hasType('string_type'),
  },
  {
    name: 'name longer than 63 characters',
    method: 'POST',
    path: REGISTER,
    body: reg({ name: 'a'.repeat(64) }),
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['body', 'metadata', 'name']),
  },
  {
    name: 'agent_type as a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ agent_type: 3 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'agent_type']),
  },
  {
    name: 'namespace with capitals',
    method: 'POST',
    path: REGISTER,
    body: reg({ namespace: 'Prod_NS' }),
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['body', 'metadata', 'namespace']),
  },
  {
    name: 'namespace longer than 63',
    method: 'POST',
    path: REGISTER,
    body: reg({ namespace: 'a'.repeat(64) }),
    status: 422,
    shape: 'list',
    check: hasType('value_error'),
  },
  {
    name: 'namespace as a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ namespace: 1 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type'),
  },
  {
    name: 'endpoint as a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ endpoint: 8080 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'endpoint']),
  },
  {
    name: 'endpoint exactly http://',
    method: 'POST',
    path: REGISTER,
    body: reg({ endpoint: 'http://' }),
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['body', 'metadata', 'endpoint']),
  },
  {
    name: 'labels with a numeric value',
    method: 'POST',
    path: REGISTER,
    body: reg({ tags: { env: 1 } }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'tags', 'env']),
  },
  {
    name: 'dependencies null',
    method: 'POST',
    path: REGISTER,
    body: reg({ dependencies: null }),
    status: 422,
    shape: 'list',
    check: hasType('list_type'),
  },
  {
    name: 'dependency that is an object',
    method: 'POST',
    path: REGISTER,
    body: reg({ dependencies: [{}] }),
    status: 422,
    shape: 'list',
    check: hasType('string_type', ['body', 'metadata', 'dependencies', 0]),
  },
  {
    name: 'health_interval with a fraction',
    method: 'POST',
    path: REGISTER,
    body: reg({ health_interval: 2.5 }),
    status: 422,
    shape: 'list',
    check: hasType('int_from_float'),
  },
  {
    name: 'health_interval as words',
    method: 'POST',
    path: REGISTER,
    body: reg({ health_interval: 'soon' }),
    status: 422,
    shape: 'list',
    check: hasType('int_parsing'),
  },
  {
    name: 'health_interval null',
    method: 'POST',
    path: REGISTER,
    body: reg({ health_interval: null }),
    status: 422,
    shape: 'list',
    check: hasType('int_type'),
  },
  {
    name: 'config as a list',
    method: 'POST',
    path: REGISTER,
    body: reg({ metadata: [1] }),
    status: 422,
    shape: 'list',
    check: hasType('dict_type', ['body', 'metadata', 'metadata']),
  },
  {
    name: 'security_context as a number',
    method: 'POST',
    path: REGISTER,
    body: reg({ security_context: 1 }),
    status: 422,
    shape: 'list',
    check: hasType('string_type'),
  },
  {
    name: 'several errors at once, all reported',
    method: 'POST',
    path: REGISTER,
    body: reg({ namespace: 'BAD', dependencies: 'x', metadata: 1 }),
    status: 422,
    shape: 'list',
    check: (b) => expect((b as { detail: unknown[] }).detail).toHaveLength(3),
  },
  // Limits (docs/security.md#limits): each a 4xx in the protocol's shape.
  {
    name: 'current heartbeat with 1,001 tools',
    method: 'POST',
    path: '/heartbeat',
    body: current(Array.from({ length: 1001 }, (_, i) => tool({ function_name: `f${i}` }))),
    status: 400,
    shape: 'error',
    check: errorSays('List should have at most 1000 items after validation, not 1001'),
  },
  {
    name: 'current tool with 1,001 dependencies',
    method: 'POST',
    path: '/heartbeat',
    body: current([tool({ dependencies: Array.from({ length: 1001 }, () => ({ capability: 'd' })) })]),
    status: 400,
    shape: 'error',
    check: errorSays('at most 1000 items'),
  },
  {
    name: 'current tool with 101 tags',
    method: 'POST',
    path: '/heartbeat',
    body: current([tool({ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) })]),
    status: 400,
    shape: 'error',
    check: errorSays('at most 100 items'),
  },
  {
    name: 'current dependency with 101 tags',
    method: 'POST',
    path: '/heartbeat',
    body: current([
      tool({ dependencies: [{ capability: 'd', tags: Array.from({ length: 101 }, () => 'x') }] }),
    ]),
    status: 400,
    shape: 'error',
    check: errorSays('at most 100 items'),
  },
  {
    name: 'current function_name of 1,025 characters',
    method: 'POST',
    path: '/heartbeat',
    body: current([tool({ function_name: 'f'.repeat(1025) })]),
    status: 400,
    shape: 'error',
    check: errorSays('String should have at most 1024 characters'),
  },
  {
    name: 'current tool description of 65,537 characters',
    method: 'POST',
    path: '/heartbeat',
    body: current([tool({ description: 'd'.repeat(65_537) })]),
    status: 400,
    shape: 'error',
    check: errorSays('at most 65536 characters'),
  },
  {
    name: 'registration with 1,001 capabilities',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: Array.from({ length: 1001 }, (_, i) => ({ name: `c${i}` })) }),
    status: 422,
    shape: 'list',
    check: hasType('too_long', ['body', 'metadata', 'capabilities']),
  },
  {
    name: 'registration capability with 101 tags',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'ok', tags: Array.from({ length: 101 }, () => 'x') }] }),
    status: 422,
    shape: 'list',
    check: hasType('too_long', ['body', 'metadata', 'capabilities', 0, 'tags']),
  },
  {
    name: 'registration with 1,001 dependencies',
    method: 'POST',
    path: REGISTER,
    body: reg({ dependencies: Array.from({ length: 1001 }, (_, i) => `d${i}`) }),
    status: 422,
    shape: 'list',
    check: hasType('too_long', ['body', 'metadata', 'dependencies']),
  },
  {
    name: 'registration capability description of 65,537 characters',
    method: 'POST',
    path: REGISTER,
    body: reg({ capabilities: [{ name: 'ok', description: 'd'.repeat(65_537) }] }),
    status: 422,
    shape: 'list',
    check: hasType('string_too_long', ['body', 'metadata', 'capabilities', 0, 'description']),
  },
  {
    name: 'query string of 9,000 characters',
    path: `/agents?capability=${'a'.repeat(9000)}`,
    status: 414,
    shape: 'detail',
  },
  // Query strings.
  {
    name: 'fuzzy_match not a boolean',
    path: '/agents?fuzzy_match=maybe',
    status: 422,
    shape: 'list',
    check: hasType('bool_parsing', ['query', 'fuzzy_match']),
  },
  {
    name: 'fuzzy_match with a space',
    path: '/agents?fuzzy_match=%20true',
    status: 422,
    shape: 'list',
    check: hasType('bool_parsing'),
  },
  {
    name: 'include_deprecated = 2',
    path: '/capabilities?include_deprecated=2',
    status: 422,
    shape: 'list',
    check: hasType('bool_parsing', ['query', 'include_deprecated']),
  },
  { name: 'label selector without =', path: '/agents?label_selector=env', status: 400, shape: 'detail' },
  {
    name: 'label selector with trailing comma',
    path: '/agents?label_selector=env%3Dprod%2C',
    status: 400,
    shape: 'detail',
  },
  {
    name: 'unknown stability',
    path: '/capabilities?stability=experimental',
    status: 422,
    shape: 'list',
    check: hasType('value_error', ['query', 'stability']),
  },
  {
    name: 'unknown capability agent',
    path: "/capabilities?agent_id=x'%20OR%201=1--",
    status: 404,
    shape: 'detail',
  },
  // Paths and methods.
  {
    name: 'SQL injection in a health path',
    path: "/health/x';DROP%20TABLE%20mesh_agents;--",
    status: 404,
    shape: 'detail',
  },
  { name: 'encoded slash in an id', path: '/health/a%2Fb', status: 404, shape: 'detail' },
  { name: 'very long id', path: `/health/${'a'.repeat(5000)}`, status: 404, shape: 'detail' },
  {
    name: 'heartbeat with injection-like id',
    method: 'POST',
    path: '/heartbeat',
    body: JSON.stringify({ agent_id: "'; DROP TABLE mesh_agents; --" }),
    status: 404,
    shape: 'detail',
  },
  { name: 'unknown path', path: '/does-not-exist', status: 404, shape: 'detail' },
  { name: 'PUT on heartbeat', method: 'PUT', path: '/heartbeat', body: '{}', status: 405, shape: 'detail' },
  // The current protocol's graceful shutdown: an unknown id is already gone (204, no body).
  {
    name: 'DELETE of an unknown agent',
    method: 'DELETE',
    path: '/agents/x',
    status: 204,
    shape: 'text',
    check: (body) => expect(body).toBe(''),
  },
  { name: 'TRACE on health', method: 'TRACE', path: '/health', status: 405, shape: 'detail' },
  { name: 'PATCH on root', method: 'PATCH', path: '/', body: '{}', status: 405, shape: 'detail' },
  {
    name: 'made-up method (refused by the HTTP parser)',
    method: 'FROB',
    path: '/health',
    status: 400,
    shape: 'detail',
  },
];

function assertShape(res: HttpResponse, shape: Shape): unknown {
  if (shape === 'text') return res.body;
  expect(res.headers['content-type']).toBe('application/json');
  if (shape === 'error') {
    const error = JSON.parse(res.body) as Record<string, unknown>;
    expect(Object.keys(error)).toEqual(['error', 'timestamp']);
    return error;
  }
  const body = JSON.parse(res.body) as { detail: unknown };
  if (shape === 'detail') expect(typeof body.detail).toBe('string');
  else {
    expect(Array.isArray(body.detail)).toBe(true);
    for (const item of body.detail as Record<string, unknown>[]) {
      expect(Object.keys(item).slice(0, 4)).toEqual(['type', 'loc', 'msg', 'input']);
    }
  }
  return body;
}

describe('bad input never becomes a 500 and never harms what is stored', () => {
  let registry: RunningRegistry;
  let before: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const rich = {
      name: 'Keeper',
      namespace: 'prod',
      tags: { env: 'prod' },
      capabilities: [{ name: 'keep', tags: ['a'] }],
    };
    expect((await postJson(registry.baseUrl, REGISTER, JSON.parse(reg(rich, 'keeper')))).status).toBe(201);
    expect((await postJson(registry.baseUrl, '/heartbeat', { agent_id: 'keeper' })).status).toBe(200);
    before = (await send(registry.baseUrl, { path: '/agents?namespace=prod' })).body;
  });
  afterAll(async () => {
    await registry[Symbol.asyncDispose]();
  });

  it.each(CASES)('answers $status for $name', async (c) => {
    const res = await send(registry.baseUrl, {
      method: c.method ?? 'GET',
      path: c.path,
      headers: {
        ...(c.body !== undefined && !c.headers ? { 'content-type': 'application/json' } : {}),
        ...c.headers,
      },
      body: c.body,
    });
    expect(res.status).toBe(c.status);
    const body = assertShape(res, c.shape);
    c.check?.(body);
    const after = (await send(registry.baseUrl, { path: '/agents?namespace=prod' })).body;
    expect(JSON.parse(after).agents).toEqual(JSON.parse(before).agents);
  });

  it('answers CONNECT with a 405 instead of dropping the connection', async () => {
    const port = new URL(registry.baseUrl).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () => reject(new Error('no answer')));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 40[45] /);
  });

  it('keeps serving on a connection after a bad request', async () => {
    // One keep-alive connection for every request: a bad request must not end it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    const exchange = (method: string, path: string, body?: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const url = new URL(path, registry.baseUrl);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method,
            path: `${url.pathname}${url.search}`,
            agent,
            headers:
              body === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const answers = [
        await exchange('POST', REGISTER, reg('not an object')),
        await exchange('GET', '/health'),
        await exchange('POST', '/heartbeat', '{"agent_id": '),
        await exchange('POST', '/heartbeat', '{"agent_id": 5}'),
        await exchange('DELETE', '/health'),
        await exchange('GET', '/does-not-exist'),
        await exchange('GET', '/health'),
      ];
      expect(answers).toEqual([
        { status: 422, reused: false },
        { status: 200, reused: true },
        { status: 422, reused: true },
        { status: 422, reused: true },
        { status: 405, reused: true },
        { status: 404, reused: true },
        { status: 200, reused: true },
      ]);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('accepts metadata.endpoint null as "no endpoint", as agents of that era send it', async () => {
    const res = await postJson(
      registry.baseUrl,
      REGISTER,
      JSON.parse(reg({ endpoint: null }, 'null-endpoint')),
    );
    expect(res.status).toBe(201);
    const list = JSON.parse((await send(registry.baseUrl, { path: '/agents?status=pending' })).body) as {
      agents: { id: string; endpoint: string }[];
    };
    expect(list.agents.find((a) => a.id === 'null-endpoint')?.endpoint).toBe(
      'http://localhost:0/null-endpoint',
    );
  });

  it('stores ids and names with NUL and lone surrogates as sent, on every database', async () => {
    const id = 'odd\u0000id\ud800';
    const res = await postJson(registry.baseUrl, REGISTER, {
      agent_id: id,
      metadata: { name: 'n\u0000', namespace: 'oddns' },
      timestamp: 't',
    });
    expect(res.status).toBe(201);
    expect((await postJson(registry.baseUrl, '/heartbeat', { agent_id: id })).status).toBe(200);
    const current = await postJson(registry.baseUrl, '/heartbeat', {
      agent_id: 'tool\u0000agent',
      name: 'x\u0000',
      tools: [{ function_name: 'f', capability: 'c' }],
    });
    expect(current.status).toBe(200);
    await registry.store.sync();
    const listed = JSON.parse((await send(registry.baseUrl, { path: '/agents?namespace=oddns' })).body);
    // The listing escapes the lone surrogate (JSON.stringify), so it arrives as sent.
    expect(listed.agents.map((a: { id: string; status: string }) => [a.id, a.status])).toEqual([
      [id, 'healthy'],
    ]);
    expect(registry.store.getAgent(id)?.namespace).toBe('oddns');
  });
});
