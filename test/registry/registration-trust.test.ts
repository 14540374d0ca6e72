/**
 * Registration trust over mTLS (docs/security.md), on the dialect of this run: HTTPS with client
 * certificates made by openssl (a CA per entity), verified by the trust backends; the entity an
 * agent first registered with owns it, and every other caller that writes it is refused with
 * upstream's 403, DELETE included (a deliberate difference from the Go registry 3.7.1).
 */
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/registry/http/app.js';
import { loadRegistryConfig } from '../../src/shared/config.js';
import { openStore } from '../../src/storage/open-store.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { runRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type Issued, makeCa, makeLeaf } from '../helpers/test-certificates.js';

const MISMATCH = 'entity_id mismatch: agent owned by another entity';

interface Reply {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

const dir = tempDir('mesh-trust-');
const pki = join(dir.path, 'pki');
const trustDir = join(dir.path, 'trust');
let meshCa: Issued;
let server: Issued;
const clients: Record<string, Issued> = {};

beforeAll(() => {
  mkdirSync(pki);
  mkdirSync(join(trustDir, 'entities'), { recursive: true });
  meshCa = makeCa(pki, 'mesh');
  server = makeLeaf(pki, 'registry', meshCa);
  const alpha = makeCa(pki, 'alpha');
  const beta = makeCa(pki, 'beta');
  const rogue = makeCa(pki, 'rogue');
  // One entity at the top of the trust directory, one where `meshctl entity register` writes.
  copyFileSync(alpha.cert, join(trustDir, 'alpha.pem'));
  copyFileSync(beta.cert, join(trustDir, 'entities', 'beta.pem'));
  clients.alpha = makeLeaf(pki, 'alpha-agent', alpha, { organization: 'alpha' });
  clients.alphaOther = makeLeaf(pki, 'alpha-other', alpha, { organization: 'alpha' });
  clients.beta = makeLeaf(pki, 'beta-agent', beta, { organization: 'beta' });
  clients.rogue = makeLeaf(pki, 'rogue-agent', rogue, { organization: 'alpha' });
  clients.serverOnly = makeLeaf(pki, 'server-only', alpha, { extendedKeyUsage: 'serverAuth' });
  clients.gamma = makeLeaf(pki, 'gamma-agent', makeCa(pki, 'gamma'));
});
afterAll(() => dir[Symbol.dispose]());

function tlsEnv(mode: 'auto' | 'strict', extra: Record<string, string> = {}): Record<string, string> {
  return {
    MCP_MESH_TLS_MODE: mode,
    MCP_MESH_TLS_CERT: server.cert,
    MCP_MESH_TLS_KEY: server.key,
    MCP_MESH_TRUST_BACKEND: 'filestore',
    MCP_MESH_TRUST_DIR: trustDir,
    ...extra,
  };
}

/** One HTTPS exchange on a fresh connection, with `client`'s certificate or none. */
function call(
  registry: RunningRegistry,
  method: string,
  path: string,
  options: { client?: Issued; body?: unknown } = {},
): Promise<Reply> {
  const port = Number(new URL(registry.baseUrl).port);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca: meshCa.certPem,
        ...(options.client ? { cert: options.client.certPem, key: options.client.keyPem } : {}),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const register = (
  registry: RunningRegistry,
  id: string,
  client?: Issued,
  extra: Record<string, unknown> = {},
) => call(registry, 'POST', '/heartbeat', { client, body: heartbeatBody(id, extra) });

async function listed(registry: RunningRegistry, id: string, client = clients.alpha) {
  const agents = (await call(registry, 'GET', '/agents', { client })).json().agents as Record<
    string,
    unknown
  >[];
  return agents.find((a) => a.id === id);
}

function expectMismatch(reply: Reply) {
  expect(reply.status).toBe(403);
  const body = reply.json();
  expect(body.error).toBe(MISMATCH);
  expect(Object.keys(body)).toEqual(['error', 'timestamp']);
}

describe('registration trust (auto)', () => {
  it("records the entity of an agent's first verified registration: listed as entity_id, served over https", async () => {
    await using registry = await startRegistry({ env: tlsEnv('auto') });
    expect((await register(registry, 'dates-1', clients.alpha)).status).toBe(200);
    const agent = await listed(registry, 'dates-1');
    expect(agent).toMatchObject({
      entity_id: 'alpha',
      endpoint: 'https://127.0.0.1:9555',
      status: 'healthy',
    });
    // Its consumers are told to call it over HTTPS.
    const consumer = await register(registry, 'report-1', clients.beta, {
      tools: [
        {
          function_name: 'make_report',
          capability: 'report',
          dependencies: [{ capability: 'time_service' }],
        },
      ],
    });
    expect(consumer.json().dependencies_resolved).toMatchObject({
      make_report: [{ agent_id: 'dates-1', endpoint: 'https://127.0.0.1:9555', status: 'available' }],
    });
    // The entity of the TLS-side file name: the CA's O in entities/ (beta).
    expect(await listed(registry, 'report-1')).toMatchObject({ entity_id: 'beta' });
  });

  it('refuses another entity and a caller without a certificate on every write of the agent; its own entity may', async () => {
    await using registry = await startRegistry({ env: tlsEnv('auto') });
    expect((await register(registry, 'dates-2', clients.alpha)).status).toBe(200);
    for (const intruder of [clients.beta, undefined]) {
      // Re-registration / full heartbeat with another endpoint.
      expectMismatch(await register(registry, 'dates-2', intruder, { http_port: 6666 }));
      // The legacy heartbeat (POST /heartbeat without tools).
      expectMismatch(
        await call(registry, 'POST', '/heartbeat', { client: intruder, body: { agent_id: 'dates-2' } }),
      );
      // The lightweight heartbeat keeps an agent alive: only its own entity may send it.
      expect((await call(registry, 'HEAD', '/heartbeat/dates-2', { client: intruder })).status).toBe(403);
      // Deregistration: the Go registry 3.7.1 lets this through; ours does not.
      expectMismatch(await call(registry, 'DELETE', '/agents/dates-2', { client: intruder }));
      // A legacy registration over it.
      expectMismatch(
        await call(registry, 'POST', '/agents/register_with_metadata', {
          client: intruder,
          body: { agent_id: 'dates-2', metadata: { endpoint: 'http://127.0.0.1:6666/mcp' }, timestamp: 't' },
        }),
      );
    }
    expect(await listed(registry, 'dates-2')).toMatchObject({
      endpoint: 'https://127.0.0.1:9555',
      entity_id: 'alpha',
      status: 'healthy',
    });
    // Another certificate of the same entity is the same owner.
    expect((await register(registry, 'dates-2', clients.alphaOther, { http_port: 9556 })).status).toBe(200);
    expect(
      (await call(registry, 'POST', '/heartbeat', { client: clients.alpha, body: { agent_id: 'dates-2' } }))
        .status,
    ).toBe(200);
    expect((await call(registry, 'HEAD', '/heartbeat/dates-2', { client: clients.alpha })).status).toBe(200);
    expect((await call(registry, 'DELETE', '/agents/dates-2', { client: clients.alpha })).status).toBe(204);
    expect(await listed(registry, 'dates-2')).toMatchObject({
      endpoint: 'https://127.0.0.1:9556',
      status: 'unhealthy',
    });
  });

  it('serves certless agents as before, and the first verified registration claims one', async () => {
    await using registry = await startRegistry({ env: tlsEnv('auto') });
    expect((await register(registry, 'plain-1')).status).toBe(200);
    const plain = await listed(registry, 'plain-1');
    expect(plain).toMatchObject({ endpoint: 'http://127.0.0.1:9555' });
    expect(plain).not.toHaveProperty('entity_id');
    expect((await register(registry, 'plain-1')).status).toBe(200);
    expect((await register(registry, 'plain-1', clients.beta)).status).toBe(200);
    expect(await listed(registry, 'plain-1')).toMatchObject({
      entity_id: 'beta',
      endpoint: 'https://127.0.0.1:9555',
    });
    expectMismatch(await register(registry, 'plain-1'));
  });

  it('keeps the entity across re-registration, a restart and another replica on the same database', async () => {
    await using registry = await startRegistry({ env: tlsEnv('auto') });
    expect((await register(registry, 'dates-3', clients.alpha)).status).toBe(200);
    expect((await register(registry, 'dates-3', clients.alpha, { version: '1.1.0' })).status).toBe(200);
    expect(await listed(registry, 'dates-3')).toMatchObject({ entity_id: 'alpha', version: '1.1.0' });
    await registry.restart();
    expectMismatch(await register(registry, 'dates-3', clients.beta));
    expect(await listed(registry, 'dates-3')).toMatchObject({ entity_id: 'alpha' });
    await using replica = await startRegistry({ env: tlsEnv('auto'), databaseUrl: registry.databaseUrl });
    expectMismatch(await register(replica, 'dates-3', clients.beta));
    expectMismatch(await call(replica, 'DELETE', '/agents/dates-3', { client: clients.beta }));
    expect((await register(replica, 'dates-3', clients.alpha)).status).toBe(200);
  });

  it('refuses a certificate no backend trusts with 403 untrusted certificate (another CA, or no clientAuth)', async () => {
    await using registry = await startRegistry({ env: tlsEnv('auto') });
    for (const client of [clients.rogue, clients.serverOnly]) {
      const reply = await register(registry, 'rogue-1', client);
      expect(reply.status).toBe(403);
      expect(reply.json()).toEqual({
        detail: 'certificate not trusted by any entity CA',
        error: 'untrusted certificate',
      });
      expect((await call(registry, 'GET', '/agents', { client })).status).toBe(403);
    }
    expect(await listed(registry, 'rogue-1')).toBeUndefined();
  });

  it('reads the trust directory again when it changes: an entity added is trusted, one removed no longer', async () => {
    using changing = tempDir('mesh-trust-dir-');
    copyFileSync(join(pki, 'alpha-ca.pem'), join(changing.path, 'alpha.pem'));
    await using registry = await startRegistry({
      env: tlsEnv('auto', { MCP_MESH_TRUST_DIR: changing.path }),
    });
    expect((await register(registry, 'gamma-1', clients.gamma)).status).toBe(403);
    mkdirSync(join(changing.path, 'entities'));
    // A symlink, as in a Kubernetes Secret volume.
    symlinkSync(join(pki, 'gamma-ca.pem'), join(changing.path, 'entities', 'gamma.pem'));
    await eventually(async () => (await register(registry, 'gamma-1', clients.gamma)).status === 200);
    // The CA's O names the entity.
    expect(await listed(registry, 'gamma-1')).toMatchObject({ entity_id: 'gamma' });
    rmSync(join(changing.path, 'alpha.pem'));
    await eventually(async () => (await register(registry, 'alpha-1', clients.alpha)).status === 403);
    expect((await register(registry, 'alpha-1', clients.alpha)).json().error).toBe('untrusted certificate');
  });

  it('chains backends: a certificate of the local CA (generated in the trust directory) is verified by localca', async () => {
    using localDir = tempDir('mesh-localca-');
    await using registry = await startRegistry({
      env: tlsEnv('auto', {
        MCP_MESH_TRUST_BACKEND: 'localca, filestore',
        MCP_MESH_TRUST_DIR: localDir.path,
      }),
    });
    const local = makeLeaf(
      pki,
      'local-agent',
      { cert: join(localDir.path, 'ca.pem'), key: join(localDir.path, 'ca-key.pem') },
      { organization: 'dev-team' },
    );
    expect((await register(registry, 'local-1', local)).status).toBe(200);
    expect(await listed(registry, 'local-1', local)).toMatchObject({ entity_id: 'dev-team' });
    // The next backend in the chain: alpha's CA in the same directory (as `meshctl start --tls-auto` chains them).
    copyFileSync(join(pki, 'alpha-ca.pem'), join(localDir.path, 'alpha.pem'));
    await eventually(async () => (await register(registry, 'alpha-2', clients.alpha)).status === 200);
    expect(await listed(registry, 'alpha-2', local)).toMatchObject({ entity_id: 'alpha' });
    expectMismatch(await register(registry, 'local-1', clients.alpha));
  });
});

describe('registration trust (strict)', () => {
  it('refuses a caller without a certificate with 403 client certificate required, on every path but the probes', async () => {
    await using registry = await startRegistry({ env: tlsEnv('strict') });
    for (const [method, path] of [
      ['POST', '/heartbeat'],
      ['GET', '/agents'],
      ['GET', '/health/x'],
      ['POST', '/agents/register_with_metadata'],
      ['DELETE', '/agents/x-1'],
      ['GET', '/nowhere'],
    ] as const) {
      const reply = await call(
        registry,
        method,
        path,
        path === '/heartbeat' ? { body: heartbeatBody('x-1') } : {},
      );
      expect(reply.status).toBe(403);
      expect(reply.json()).toEqual({ error: 'client certificate required' });
    }
    // Kubernetes probes carry no certificate: GET / and GET /health are answered.
    expect((await call(registry, 'GET', '/health')).status).toBe(200);
    expect((await call(registry, 'GET', '/?x=1')).status).toBe(200);
    expect((await register(registry, 'strict-1', clients.alpha)).status).toBe(200);
    expectMismatch(await register(registry, 'strict-1', clients.beta));
    expect((await call(registry, 'GET', '/health', { client: clients.beta })).status).toBe(200);
  });
});

describe('refusing to start', () => {
  const config = (env: Record<string, string>) => ({
    ...loadRegistryConfig({ host: '127.0.0.1', port: 0 }, { MCP_MESH_ACCESS_LOG: 'false', ...env }),
    databaseUrl: 'sqlite::memory:',
  });

  it.each([
    [
      { MCP_MESH_TRUST_BACKEND: '' },
      'needs a trust backend to verify client certificates: set MCP_MESH_TRUST_BACKEND',
    ],
    [{ MCP_MESH_TRUST_BACKEND: 'vault' }, 'unknown trust backend "vault"'],
    [
      { MCP_MESH_TRUST_DIR: '/nonexistent/trust' },
      'initializing filestore backend (MCP_MESH_TRUST_DIR=/nonexistent/trust)',
    ],
    [{ MCP_MESH_TLS_CERT: '' }, 'requires MCP_MESH_TLS_CERT and MCP_MESH_TLS_KEY'],
  ])('with TLS on and %o', async (env, message) => {
    const store = await openStore('sqlite::memory:');
    try {
      await expect(
        buildApp({ config: config({ ...tlsEnv('auto'), ...env }), store, logger: pino({ level: 'silent' }) }),
      ).rejects.toThrow(message);
    } finally {
      await store.close();
    }
  });

  it('the executable says why and exits 1', async () => {
    using empty = tempDir('mesh-trust-run-');
    writeFileSync(join(empty.path, 'placeholder'), '');
    const run = await runRegistry(['--host', '127.0.0.1', '--port', '0'], {
      ...tlsEnv('strict', { MCP_MESH_TRUST_BACKEND: '' }),
      MCP_MESH_DATABASE_URL: `sqlite://${join(empty.path, 'r.db')}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '❌ Failed to start registry service: TLS mode "strict" needs a trust backend',
    );
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
