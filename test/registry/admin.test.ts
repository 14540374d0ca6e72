/**
 * The admin routes beside the Go registry 3.7.1 (drain, rotate, entities), the drain flag shared
 * by replicas, and the separate admin listener of `MCP_MESH_ADMIN_PORT`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/registry/http/admin-app.js';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const agent = heartbeatBody;

const head = (base: string, id: string) => send(base, { method: 'HEAD', path: `/heartbeat/${id}` });

function same(a: HttpResponse, b: HttpResponse) {
  const view = (r: HttpResponse) => ({
    status: r.status,
    type: String(r.headers['content-type'] ?? '').split(';')[0],
    body: r.body,
  });
  expect(view(a)).toEqual(view(b));
}

/** Two entity CA certificates made with openssl, in `<dir>/entities`. */
function trustDirWithEntities(): { path: string } & Disposable {
  const dir = tempDir('mesh-trust-');
  const entities = join(dir.path, 'entities');
  mkdirSync(entities);
  for (const [name, subject] of [
    ['acme', '/CN=Acme Root/O=Acme Corp/O=Acme Labs'],
    ['zeta', '/O=Zeta Only'],
  ] as const) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-subj',
        subject,
        '-keyout',
        join(dir.path, `${name}.key`),
        '-out',
        join(entities, `${name}.pem`),
      ],
      { stdio: 'ignore' },
    );
  }
  return dir;
}

describe('admin routes, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  let trust: { path: string } & Disposable;

  beforeAll(async () => {
    trust = trustDirWithEntities();
    const env = { MCP_MESH_TRUST_DIR: trust.path };
    [ours, go] = await Promise.all([startRegistry({ env }), startGoRegistry(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
    trust?.[Symbol.dispose]();
  });

  it('drains, reports and resumes as the Go registry does', async () => {
    for (const [method, draining] of [
      ['GET', false],
      ['POST', true],
      ['GET', true],
      ['POST', true],
      ['DELETE', false],
      ['GET', false],
    ] as const) {
      const [a, b] = await Promise.all([
        send(ours.baseUrl, { method, path: '/admin/drain' }),
        send(go.baseUrl, { method, path: '/admin/drain' }),
      ]);
      same(a, b);
      expect(JSON.parse(a.body)).toEqual({ draining, live_claims: 0 });
    }
  });

  it('rotates healthy agents: same answer, and their next HEAD answers 202 until they register again', async () => {
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', agent('gone-5e6f7a8b'))).status).toBe(200);
      expect((await send(base, { method: 'DELETE', path: '/agents/gone-5e6f7a8b' })).status).toBe(204);
      // Registered after every other change: the Go registry answers 202 for any change after it.
      expect((await postJson(base, '/heartbeat', agent('clock-1a2b3c4d'))).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const base of [ours.baseUrl, go.baseUrl])
      expect((await head(base, 'clock-1a2b3c4d')).status).toBe(200);
    for (const path of ['/admin/rotate', '/admin/rotate?entity_id=acme']) {
      const [a, b] = await Promise.all([
        send(ours.baseUrl, { method: 'POST', path }),
        send(go.baseUrl, { method: 'POST', path }),
      ]);
      same(a, b);
    }
    expect(JSON.parse((await send(ours.baseUrl, { method: 'POST', path: '/admin/rotate' })).body)).toEqual({
      affected_agents: 1,
      entity_id: '',
      message: 'Rotation triggered for all agents',
    });
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await head(base, 'clock-1a2b3c4d')).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await postJson(base, '/heartbeat', agent('clock-1a2b3c4d'))).status).toBe(200);
      expect((await head(base, 'clock-1a2b3c4d')).status).toBe(200);
    }
    const events = JSON.parse((await send(ours.baseUrl, { path: '/events?type=rotate' })).body);
    expect(events.events.map((e: { agent_id: string; data: unknown }) => [e.agent_id, e.data])).toEqual([
      [
        'clock-1a2b3c4d',
        { agent_id: 'clock-1a2b3c4d', entity_id: '', name: 'clock', reason: 'cert_rotation' },
      ],
      [
        'clock-1a2b3c4d',
        { agent_id: 'clock-1a2b3c4d', entity_id: '', name: 'clock', reason: 'cert_rotation' },
      ],
    ]);
  });

  it('lists the trusted entities of the trust directory as the Go registry does', async () => {
    const [a, b] = await Promise.all([
      send(ours.baseUrl, { path: '/admin/entities' }),
      send(go.baseUrl, { path: '/admin/entities' }),
    ]);
    same(a, b);
    const { entities } = JSON.parse(a.body) as { entities: { name: string; subject: string }[] };
    expect(entities.map((e) => [e.name, e.subject])).toEqual([
      ['acme', 'CN=Acme Root,O=Acme Corp,O=Acme Labs'],
      ['zeta', 'O=Zeta Only'],
    ]);
  });
});

describe('the drain flag across replicas', () => {
  it('is registry-wide: drained through one replica, every replica reports it', async () => {
    await using first = await startRegistry();
    await using second = await startRegistry({ databaseUrl: first.databaseUrl });
    expect((await send(first.baseUrl, { method: 'POST', path: '/admin/drain' })).status).toBe(200);
    expect(JSON.parse((await send(second.baseUrl, { path: '/admin/drain' })).body).draining).toBe(true);
    await send(second.baseUrl, { method: 'DELETE', path: '/admin/drain' });
    expect(JSON.parse((await send(first.baseUrl, { path: '/admin/drain' })).body).draining).toBe(false);
  });
});

describe('MCP_MESH_ADMIN_PORT', () => {
  it('moves the admin routes to their own listener, off the main port', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_ADMIN_PORT: '1' } });
    expect(registry.app.hasRoute({ method: 'GET', url: '/admin/drain' })).toBe(false);
    expect((await send(registry.baseUrl, { path: '/admin/drain' })).status).toBe(404);
    const admin = await buildAdminApp({
      config: registry.app.config,
      store: registry.store,
      logger: pino({ level: 'silent' }),
    });
    try {
      await admin.listen({ host: '127.0.0.1', port: 0 });
      const address = admin.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await send(base, { method: 'POST', path: '/admin/drain' })).status).toBe(200);
      expect(JSON.parse((await send(registry.baseUrl, { path: '/events' })).body).count).toBe(0);
      expect(await registry.store.isDraining()).toBe(true);
      // Only admin routes there.
      expect((await send(base, { path: '/agents' })).status).toBe(404);
    } finally {
      await admin.close();
    }
  });
});
