/**
 * `GET|POST /proxy/<host>:<port>/mcp[/...]`, the route `meshctl call` goes through: a real small
 * MCP-like agent on 127.0.0.1 registered through `POST /heartbeat`, called through ours, and
 * through the Go registry 3.7.1 where its answer is deterministic (same requests, same answers).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { startTestAgent, type TestAgent } from '../helpers/mcp-test-agent.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;

/** What must agree between the registries: status, media type, body with timestamps masked. */
function answer(res: HttpResponse) {
  return {
    status: res.status,
    contentType: res.body === '' ? undefined : String(res.headers['content-type']).split(';')[0],
    body: res.body.replace(TIMESTAMP, '<time>'),
  };
}

const heartbeat = (id: string, port: number, host = '127.0.0.1') => ({
  agent_id: id,
  name: id.replace(/-\w+$/, ''),
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_host: host,
  http_port: port,
  namespace: 'default',
  runtime: 'python',
  tools: [{ function_name: 'echo', capability: 'echo_service', version: '1.0.0', tags: [] }],
});

const MESHCTL_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'x-mesh-timeout': '30',
};
const TOOLS_CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' } },
});

/** A request whose answer is read as it comes (the helper `send` waits for the whole body). */
function open(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): { response: Promise<IncomingMessage>; abort(): void } {
  const url = new URL(path, baseUrl);
  const req = httpRequest({
    host: url.hostname,
    port: url.port,
    method: options.method ?? 'POST',
    // As written: no dot segments resolved, no escapes normalised (URL would do both).
    path,
    headers: options.headers,
    agent: false,
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end(options.body);
  return { response, abort: () => req.destroy() };
}

/** Reads an answer as it arrives: what came so far once `text` is in it, or all of it at its end. */
function reader(res: IncomingMessage) {
  let text = '';
  let isEnded = false;
  const checks = new Set<() => void>();
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    for (const check of checks) check();
  });
  res.on('end', () => {
    isEnded = true;
    for (const check of checks) check();
  });
  const when = (isDone: () => boolean, what: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (isDone()) resolve(text);
        else if (isEnded) reject(new Error(`the answer ended before ${what}; got: ${text}`));
        else return;
        checks.delete(check);
      };
      checks.add(check);
      check();
    });
  return {
    until: (expected: string) => when(() => text.includes(expected), `"${expected}" arrived`),
    all: () => when(() => isEnded, 'its end'),
  };
}

describe('the proxy, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  let agent: TestAgent;
  let deadPort: number;
  const both = async (request: Parameters<typeof send>[1]) => {
    const [a, b] = await Promise.all([send(ours.baseUrl, request), send(go.baseUrl, request)]);
    return { ours: a, go: b };
  };
  const post = (path: string, headers: Record<string, string> = MESHCTL_HEADERS, body = TOOLS_CALL) => ({
    method: 'POST',
    path,
    headers,
    body,
  });

  beforeAll(async () => {
    [ours, go, agent, deadPort] = await Promise.all([
      startRegistry(),
      startGoRegistry(),
      startTestAgent(),
      freePort(),
    ]);
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', heartbeat('echo-agent-1a2b3c4d', agent.port))).status).toBe(
        200,
      );
      expect((await postJson(base, '/heartbeat', heartbeat('dead-agent-5e6f7a8b', deadPort))).status).toBe(
        200,
      );
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([
      ours?.[Symbol.asyncDispose](),
      go?.[Symbol.asyncDispose](),
      agent?.[Symbol.asyncDispose](),
    ]);
  });

  it("relays a JSON answer: the agent's status, body and headers, without hop-by-hop ones, as Go does", async () => {
    const path = `/proxy/127.0.0.1:${agent.port}/mcp`;
    const { ours: a, go: b } = await both(post(path));
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: '{"text":"hi"}' }], isError: false },
    });
    expect(a.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(a.headers['x-agent']).toBe('test-agent');
    // Go passes the agent's hop-by-hop headers on; ours drops them (docs/compatibility.md).
    expect(a.headers['x-private']).toBeUndefined();
    expect(a.headers['keep-alive']).toBeUndefined();
    const created = await both(post(`/proxy/127.0.0.1:${agent.port}/mcp/created`));
    expect(answer(created.ours)).toEqual(answer(created.go));
    expect(created.ours.status).toBe(201);
  });

  it("passes on the headers meshctl sends, and not the caller's credentials or cookies", async () => {
    const before = agent.seen.length;
    const res = await send(ours.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${agent.port}/mcp`,
      headers: {
        ...MESHCTL_HEADERS,
        'x-trace-id': 'trace-1',
        'x-parent-span': 'span-1',
        'x-mesh-job-id': 'job-1',
        authorization: 'Bearer secret',
        cookie: 'session=secret',
        'x-custom': 'not listed',
      },
      body: TOOLS_CALL,
    });
    expect(res.status).toBe(200);
    const seen = agent.seen.slice(before).find((r) => r.url === '/mcp')!;
    expect(seen.body).toBe(TOOLS_CALL);
    expect(seen.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-mesh-timeout': '30',
      'x-trace-id': 'trace-1',
      'x-parent-span': 'span-1',
      'x-mesh-job-id': 'job-1',
      host: `127.0.0.1:${agent.port}`,
    });
    for (const name of ['authorization', 'cookie', 'x-custom']) expect(seen.headers[name]).toBeUndefined();
  });

  it('relays GET as GET, without a body and, as Go does, without the query', async () => {
    const before = agent.seen.length;
    const res = await send(ours.baseUrl, { path: `/proxy/127.0.0.1:${agent.port}/mcp?session=1` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ method: 'GET' });
    expect(agent.seen.slice(before)).toMatchObject([{ method: 'GET', url: '/mcp', body: '' }]);
  });

  it('relays an SSE answer as it comes: the first event arrives while the agent is still writing', async () => {
    const call = open(ours.baseUrl, `/proxy/127.0.0.1:${agent.port}/mcp/sse`, {
      headers: MESHCTL_HEADERS,
      body: TOOLS_CALL,
    });
    const res = await call.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    // The agent has not been allowed to finish: only the first event can have been written.
    const body = reader(res);
    const first = await body.until('"part":1');
    expect(first).not.toContain('"part":2');
    agent.releaseSse();
    expect(await body.all()).toBe(
      'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"part":1}}\n\n' +
        'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"part":2}}\n\n',
    );
  });

  it('reaches an agent named by its id or name instead of its host, at its registered host, as Go does', async () => {
    for (const host of ['echo-agent-1a2b3c4d', 'echo-agent']) {
      const { ours: a, go: b } = await both(post(`/proxy/${host}:${agent.port}/mcp`));
      expect(answer(a)).toEqual(answer(b));
      expect(a.status).toBe(200);
    }
  });

  it.each([
    ['a host no agent registered', (port: number) => `/proxy/10.1.2.3:${port}/mcp`],
    ['a registered host on another port', () => '/proxy/127.0.0.1:9/mcp'],
    ['another name for a registered host', (port: number) => `/proxy/localhost:${port}/mcp`],
    ['no port', () => '/proxy/127.0.0.1/mcp'],
    ['two colons', (port: number) => `/proxy/127.0.0.1:${port}:1/mcp`],
    ['an unknown agent id', (port: number) => `/proxy/nobody-00000000:${port}/mcp`],
  ])('refuses %s with 403, as Go does (never an open proxy)', async (_what, pathFor) => {
    const before = agent.seen.length;
    const { ours: a, go: b } = await both(post(pathFor(agent.port)));
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(403);
    expect(JSON.parse(a.body).error).toMatch(/^Target host '.*' is not a registered agent$/);
    expect(agent.seen.length).toBe(before);
  });

  it.each([
    ['a path outside /mcp', (port: number) => `/proxy/127.0.0.1:${port}/admin`, 'Only /mcp/* paths'],
    [
      'a path that only starts like /mcp',
      (port: number) => `/proxy/127.0.0.1:${port}/mcpx`,
      'Only /mcp/* paths',
    ],
    ['no path', (port: number) => `/proxy/127.0.0.1:${port}`, 'Invalid target format: missing path'],
    ['no target', () => '/proxy/', 'Invalid target format: missing path'],
  ])('refuses %s with 400, as Go does', async (_what, pathFor, message) => {
    const { ours: a, go: b } = await both(post(pathFor(agent.port)));
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body).error).toContain(message);
  });

  it('refuses dot segments that would leave /mcp, which Go forwards to the agent', async () => {
    const before = agent.seen.length;
    for (const path of [
      '/mcp/../admin',
      '/mcp/%2e%2e/admin',
      '/mcp/%2E%2e',
      '/mcp/./x',
      '/mcp%2f..%2fadmin',
    ]) {
      const call = open(ours.baseUrl, `/proxy/127.0.0.1:${agent.port}${path}`, {
        headers: MESHCTL_HEADERS,
        body: TOOLS_CALL,
      });
      const res = await call.response;
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(await reader(res).all()).error).toBe('Only /mcp/* paths are allowed for proxying');
    }
    expect(agent.seen.length).toBe(before);
  });

  it('answers 502 with the reason when the agent refuses the connection, as Go does', async () => {
    const { ours: a, go: b } = await both(post(`/proxy/127.0.0.1:${deadPort}/mcp`));
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(502);
    expect(JSON.parse(a.body).error).toBe(
      `Failed to reach target agent: Post "http://127.0.0.1:${deadPort}/mcp": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`,
    );
  });

  it('answers 502 within the X-Mesh-Timeout budget when the agent does not answer, as Go does', async () => {
    const path = `/proxy/127.0.0.1:${agent.port}/mcp/slow`;
    const started = Date.now();
    const a = await send(ours.baseUrl, post(path, { ...MESHCTL_HEADERS, 'x-mesh-timeout': '1' }));
    const elapsed = Date.now() - started;
    const b = await send(go.baseUrl, post(path, { ...MESHCTL_HEADERS, 'x-mesh-timeout': '1' }));
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(502);
    expect(JSON.parse(a.body).error).toContain('Client.Timeout exceeded while awaiting headers');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
  });

  it("cuts an SSE answer at the budget with upstream's timeout comment, and closes the agent's connection", async () => {
    const path = `/proxy/127.0.0.1:${agent.port}/mcp/forever`;
    const abandoned = agent.abandoned('/mcp/forever');
    const started = Date.now();
    const [a, b] = await Promise.all([
      send(ours.baseUrl, post(path, { ...MESHCTL_HEADERS, 'x-mesh-timeout': '1' })),
      send(go.baseUrl, post(path, { ...MESHCTL_HEADERS, 'x-mesh-timeout': '1' })),
    ]);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const res of [a, b]) {
      expect(res.status).toBe(200);
      expect(res.body.startsWith('event: message\ndata: {"started":true}\n\n: ping\n\n')).toBe(true);
      expect(res.body.endsWith('\n: mesh-proxy-timeout budget=1s\n\n')).toBe(true);
    }
    await abandoned;
  });

  it('stops the call to the agent when the caller goes away', async () => {
    const abandoned = agent.abandoned('/mcp/slow');
    const call = open(ours.baseUrl, `/proxy/127.0.0.1:${agent.port}/mcp/slow`, {
      headers: MESHCTL_HEADERS,
      body: TOOLS_CALL,
    });
    call.response.catch(() => {});
    await agent.arrived('/mcp/slow');
    const leftAt = Date.now();
    call.abort();
    await abandoned;
    expect(Date.now() - leftAt).toBeLessThan(2000);
  });

  it('answers a method the route does not serve 405, and /proxy without its slash with a redirect', async () => {
    const put = await send(ours.baseUrl, { method: 'PUT', path: `/proxy/127.0.0.1:${agent.port}/mcp` });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    const bare = await send(ours.baseUrl, { path: '/proxy' });
    expect(bare.status).toBe(307);
    expect(bare.headers.location).toMatch(/\/proxy\/$/);
  });
});

describe('the proxy within its limits', () => {
  it('refuses a body over MCP_MESH_MAX_BODY_BYTES with 413, declared or streamed, before the agent acts on it', async () => {
    await using agent = await startTestAgent();
    await using registry = await startRegistry({ env: { MCP_MESH_MAX_BODY_BYTES: '1000' } });
    expect(
      (await postJson(registry.baseUrl, '/heartbeat', heartbeat('echo-agent-1a2b3c4d', agent.port))).status,
    ).toBe(200);
    const path = `/proxy/127.0.0.1:${agent.port}/mcp`;
    const big = 'x'.repeat(5000);
    const declared = await send(registry.baseUrl, post(path, big));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toBe('Request body is larger than the limit of 1000 bytes');
    // Chunked, without a length: counted as it streams.
    const call = open(registry.baseUrl, path, {
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    const res = await call.response;
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await reader(res).all()).error).toBe(
      'Request body is larger than the limit of 1000 bytes',
    );
    expect(agent.seen.filter((r) => r.url === '/mcp')).toEqual([]);
    // A body within the limit still goes through.
    expect((await send(registry.baseUrl, post(path, TOOLS_CALL))).status).toBe(200);

    function post(p: string, body: string) {
      return { method: 'POST', path: p, headers: { 'content-type': 'application/json' }, body };
    }
  });

  it('passes on the headers MCP_MESH_PROPAGATE_HEADERS names (names and prefixes), never hop-by-hop ones', async () => {
    await using agent = await startTestAgent();
    await using registry = await startRegistry({
      env: { MCP_MESH_PROPAGATE_HEADERS: 'Authorization, x-tenant-*, *, upgrade' },
    });
    expect(
      (await postJson(registry.baseUrl, '/heartbeat', heartbeat('echo-agent-1a2b3c4d', agent.port))).status,
    ).toBe(200);
    const res = await send(registry.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${agent.port}/mcp`,
      headers: {
        ...MESHCTL_HEADERS,
        authorization: 'Bearer token',
        'x-tenant-id': 't1',
        'x-tenant-region': 'eu',
        'x-other': 'no',
        upgrade: 'h2c',
        connection: 'upgrade',
      },
      body: TOOLS_CALL,
    });
    expect(res.status).toBe(200);
    const seen = agent.seen.find((r) => r.url === '/mcp')!;
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer token',
      'x-tenant-id': 't1',
      'x-tenant-region': 'eu',
    });
    expect(seen.headers['x-other']).toBeUndefined();
    expect(seen.headers.upgrade).toBeUndefined();
  });

  it('uses MCP_MESH_PROXY_TIMEOUT when the caller names no budget', async () => {
    await using agent = await startTestAgent();
    await using registry = await startRegistry({ env: { MCP_MESH_PROXY_TIMEOUT: '1' } });
    expect(
      (await postJson(registry.baseUrl, '/heartbeat', heartbeat('echo-agent-1a2b3c4d', agent.port))).status,
    ).toBe(200);
    const started = Date.now();
    const res = await send(registry.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${agent.port}/mcp/slow`,
      headers: { 'content-type': 'application/json' },
      body: TOOLS_CALL,
    });
    expect(res.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

/** A CA, and two certificates it signed (an agent's and the registry's), made with openssl. */
async function makeCertificates(dir: string) {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=mesh-test-ca',
  );
  for (const name of ['agent', 'registry']) {
    await openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
    );
  }
  // A stranger: a certificate from another CA.
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.pem',
    '-days',
    '1',
    '-subj',
    '/CN=stranger',
  );
  const file = (name: string) => join(dir, name);
  return { file, read: (name: string) => readFileSync(file(name)) };
}

describe('the proxy to an agent that serves TLS', () => {
  /** Registers the agent, then records the TLS entity registration trust would have verified. */
  async function registerWithEntity(registry: RunningRegistry, id: string, port: number) {
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeat(id, port))).status).toBe(200);
    const stored = registry.store.getAgent(id)!;
    await registry.store.upsertAgent({
      ...stored,
      current: { ...stored.current!, entityId: `entity-${id}` },
    });
  }

  it("speaks HTTPS to an agent with a TLS entity, verifying its certificate against the mesh CA and presenting the registry's", async () => {
    using dir = tempDir('mesh-proxy-tls-');
    const certs = await makeCertificates(dir.path);
    await using agent = await startTestAgent({
      tls: { key: certs.read('agent.key'), cert: certs.read('agent.pem'), ca: certs.read('ca.pem') },
    });
    await using stranger = await startTestAgent({
      tls: { key: certs.read('stranger.key'), cert: certs.read('stranger.pem'), ca: certs.read('ca.pem') },
    });
    await using registry = await startRegistry({
      env: {
        MCP_MESH_TLS_CA: certs.file('ca.pem'),
        MCP_MESH_TLS_CERT: certs.file('registry.pem'),
        MCP_MESH_TLS_KEY: certs.file('registry.key'),
      },
    });
    await registerWithEntity(registry, 'secure-agent-1a2b3c4d', agent.port);
    await registerWithEntity(registry, 'stranger-agent-5e6f7a8b', stranger.port);

    const res = await send(registry.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${agent.port}/mcp`,
      headers: MESHCTL_HEADERS,
      body: TOOLS_CALL,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).result.content[0].text).toBe('{"text":"hi"}');
    expect(agent.seen.at(-1)?.clientCertCn).toBe('registry');

    // A certificate the mesh CA did not sign is not trusted: no call reaches that agent.
    const refused = await send(registry.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${stranger.port}/mcp`,
      headers: MESHCTL_HEADERS,
      body: TOOLS_CALL,
    });
    expect(refused.status).toBe(502);
    expect(JSON.parse(refused.body).error).toMatch(
      /^Failed to reach target agent: Post "https:\/\/127\.0\.0\.1:\d+\/mcp": /,
    );
    expect(stranger.seen).toEqual([]);
  });

  it("answers 500 with Go's message when the registry has no TLS files to reach such an agent", async () => {
    await using agent = await startTestAgent();
    await using registry = await startRegistry();
    await registerWithEntity(registry, 'secure-agent-1a2b3c4d', agent.port);
    const res = await send(registry.baseUrl, {
      method: 'POST',
      path: `/proxy/127.0.0.1:${agent.port}/mcp`,
      headers: MESHCTL_HEADERS,
      body: TOOLS_CALL,
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).error).toBe(
      'Proxy TLS misconfiguration: missing required TLS environment variables for HTTPS proxy',
    );
    expect(agent.seen).toEqual([]);
  });
});
