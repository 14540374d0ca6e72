/**
 * What a web page a developer opens can do to a registry on their machine: no cross-origin writes
 * (allowed origins only, none by default), nothing a browser sends without a preflight changes
 * state, and a registry bound to loopback answers loopback host names only (DNS rebinding).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/registry/http/admin-app.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

const EVIL = 'https://evil.example';

const agentIds = async (baseUrl: string) => {
  const res = await send(baseUrl, { path: '/agents?status=healthy' });
  return (JSON.parse(res.body) as { agents: { id: string }[] }).agents.map((a) => a.id);
};

describe('CORS grants allowed origins only', () => {
  it('refuses a preflight from a foreign origin by default, and gives it no CORS headers on reads', async () => {
    await using registry = await startRegistry();
    const preflight = await send(registry.baseUrl, {
      method: 'OPTIONS',
      path: '/agents/x',
      headers: { origin: EVIL, 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.status).toBe(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const read = await send(registry.baseUrl, { path: '/health', headers: { origin: EVIL, cookie: 'a=b' } });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('grants the origins of MCP_MESH_CORS_ORIGIN, and * grants any origin without credentials', async () => {
    await using registry = await startRegistry({
      env: { MCP_MESH_CORS_ORIGIN: 'http://localhost:3000, https://ui.example' },
    });
    const preflight = await send(registry.baseUrl, {
      method: 'OPTIONS',
      path: '/heartbeat',
      headers: {
        origin: 'https://ui.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ui.example');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    const foreign = await send(registry.baseUrl, {
      method: 'OPTIONS',
      path: '/heartbeat',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(400);
    const read = await send(registry.baseUrl, {
      path: '/health',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(read.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(read.headers.vary).toContain('Origin');

    await using open = await startRegistry({ env: { MCP_MESH_CORS_ORIGIN: '*' } });
    const any = await send(open.baseUrl, {
      method: 'OPTIONS',
      path: '/heartbeat',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(any.status).toBe(200);
    expect(any.headers['access-control-allow-origin']).toBe('*');
    expect(any.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('no cross-origin writes', () => {
  it('refuses a write from a foreign origin (403), whatever its content type, and changes nothing', async () => {
    await using registry = await startRegistry();
    const body = JSON.stringify(heartbeatBody('victim-abc12345'));
    const pageHeaders: Record<string, string>[] = [
      { origin: EVIL, 'content-type': 'application/json' },
      { origin: EVIL },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of pageHeaders) {
      const res = await send(registry.baseUrl, { method: 'POST', path: '/heartbeat', headers, body });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ detail: expect.stringContaining('Cross-origin') });
    }
    expect(await agentIds(registry.baseUrl)).toEqual([]);
    // A DELETE or a job cancel without a body from a page: refused as well.
    expect((await postJson(registry.baseUrl, '/heartbeat', body)).status).toBe(200);
    const del = await send(registry.baseUrl, {
      method: 'DELETE',
      path: '/agents/victim-abc12345',
      headers: { origin: EVIL },
    });
    expect(del.status).toBe(403);
    expect(await agentIds(registry.baseUrl)).toEqual(['victim-abc12345']);
  });

  it('lets a same-origin page and an allowed origin write', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_CORS_ORIGIN: 'http://localhost:3000' } });
    const host = new URL(registry.baseUrl).host;
    const same = await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('same-abc12345'), {
      origin: `http://${host}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(same.status).toBe(200);
    const allowed = await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('allowed-abc12345'), {
      origin: 'http://localhost:3000',
      'sec-fetch-site': 'same-site',
    });
    expect(allowed.status).toBe(200);
  });
});

describe('nothing a browser sends without a preflight changes state', () => {
  it('refuses the CORS-safelisted content types on writes (415) and changes nothing', async () => {
    await using registry = await startRegistry();
    const body = JSON.stringify(heartbeatBody('simple-abc12345'));
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await send(registry.baseUrl, {
        method: 'POST',
        path: '/heartbeat',
        headers: { 'content-type': type },
        body,
      });
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.body)).toEqual({ detail: expect.stringContaining('Content-Type') });
    }
    expect(await agentIds(registry.baseUrl)).toEqual([]);
  });

  it('still takes a body without a content type from a client that is not a web page', async () => {
    await using registry = await startRegistry();
    const res = await send(registry.baseUrl, {
      method: 'POST',
      path: '/heartbeat',
      body: JSON.stringify(heartbeatBody('plain-abc12345')),
    });
    expect(res.status).toBe(200);
  });
});

describe('a registry bound to loopback answers loopback host names only', () => {
  it('refuses a foreign Host (400) on every route, and takes loopback names with or without a port', async () => {
    await using registry = await startRegistry();
    const port = new URL(registry.baseUrl).port;
    for (const path of ['/agents', '/health', '/heartbeat/x']) {
      const res = await send(registry.baseUrl, { path, headers: { host: `rebind.evil.example:${port}` } });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ detail: 'Invalid host header' });
    }
    for (const host of [
      `localhost:${port}`,
      'localhost',
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'LOCALHOST.',
    ]) {
      const res = await send(registry.baseUrl, { path: '/agents', headers: { host } });
      expect(res.status, host).toBe(200);
    }
  });

  it('takes the names of MCP_MESH_ALLOWED_HOSTS too, and checks nothing when bound to all interfaces', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_ALLOWED_HOSTS: 'registry.internal' } });
    const ok = await send(registry.baseUrl, { path: '/agents', headers: { host: 'registry.internal:8000' } });
    expect(ok.status).toBe(200);
    const other = await send(registry.baseUrl, { path: '/agents', headers: { host: 'other.internal' } });
    expect(other.status).toBe(400);

    await using open = await startRegistry({ host: '0.0.0.0' });
    const any = await send(open.baseUrl, { path: '/agents', headers: { host: 'registry.example.com' } });
    expect(any.status).toBe(200);
  });
});

describe('the admin listener', () => {
  it('is guarded as the main port: foreign Host names and cross-origin writes are refused', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_ADMIN_PORT: '1' } });
    const admin = await buildAdminApp({
      config: registry.app.config,
      store: registry.store,
      logger: pino({ level: 'silent' }),
    });
    try {
      await admin.listen({ host: '127.0.0.1', port: 0 });
      const address = admin.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const rebound = await send(base, {
        method: 'POST',
        path: '/admin/drain',
        headers: { host: 'evil.example' },
      });
      expect(rebound.status).toBe(400);
      const page = await send(base, { method: 'POST', path: '/admin/drain', headers: { origin: EVIL } });
      expect(page.status).toBe(403);
      expect(await registry.store.isDraining()).toBe(false);
    } finally {
      await admin.close();
    }
  });
});
