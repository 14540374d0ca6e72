/**
 * `GET /events` beside the Go registry 3.7.1: the same agents registered, re-registered and
 * deregistered on both; the same lifecycle events listed, in the same shape (times aside), and the
 * same answers to bad query parameters. Then across replicas sharing one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

const get = (base: string, path: string) => send(base, { path });

const agent = (id: string, extra: Record<string, unknown> = {}) =>
  heartbeatBody(id, { version: '2.1.0', ...extra });

interface EventJson {
  agent_id: string;
  agent_name?: string;
  event_type: string;
  function_name?: string;
  data?: Record<string, unknown>;
  timestamp: string;
}

/** What must agree: every field but times (the data's `detected_at` is a time too). */
function comparable(body: string) {
  const parsed = JSON.parse(body) as { count: number; events: EventJson[] };
  return {
    keys: Object.keys(parsed),
    count: parsed.count,
    events: parsed.events.map(({ timestamp, data, ...rest }) => {
      expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      const { detected_at: _detectedAt, ...kept } = data ?? {};
      return { ...rest, keys: Object.keys({ ...rest, timestamp, ...(data ? { data } : {}) }), data: kept };
    }),
  };
}

describe('GET /events, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', agent('clock-1a2b3c4d'))).status).toBe(200);
      expect((await postJson(base, '/heartbeat', agent('timer-5e6f7a8b'))).status).toBe(200);
      // A healthy agent re-registering logs nothing.
      expect((await postJson(base, '/heartbeat', agent('clock-1a2b3c4d'))).status).toBe(200);
      expect(
        (await postJson(base, '/heartbeat', agent('gateway-0a0b0c0d', { agent_type: 'api' }))).status,
      ).toBe(200);
      expect((await send(base, { method: 'DELETE', path: '/agents/timer-5e6f7a8b' })).status).toBe(204);
      // Back after its goodbye: a recovery.
      expect((await postJson(base, '/heartbeat', agent('timer-5e6f7a8b'))).status).toBe(200);
      expect((await send(base, { method: 'DELETE', path: '/agents/gateway-0a0b0c0d' })).status).toBe(204);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it.each([
    '/events',
    '/events?limit=2',
    '/events?type=register',
    '/events?type=unregister',
    '/events?agent_id=timer-5e6f7a8b',
    '/events?agent_id=nobody',
    '/events?type=bogus',
    '/events?function_name=tell_time',
    '/events?limit=0',
    '/events?limit=100000',
  ])('lists %s as the Go registry does', async (path) => {
    const [a, b] = await Promise.all([get(ours.baseUrl, path), get(go.baseUrl, path)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(comparable(a.body)).toEqual(comparable(b.body));
  });

  it('logs registration, goodbye and recovery, and nothing of api agents', async () => {
    const res = await get(ours.baseUrl, '/events');
    const events = (JSON.parse(res.body) as { events: EventJson[] }).events;
    expect(events.map((e) => [e.event_type, e.agent_id, e.data?.reason ?? null])).toEqual([
      ['register', 'timer-5e6f7a8b', 'recovery'],
      ['unregister', 'timer-5e6f7a8b', 'graceful_shutdown'],
      ['register', 'timer-5e6f7a8b', null],
      ['register', 'clock-1a2b3c4d', null],
    ]);
  });

  it.each([
    '/events?limit=abc',
    '/events?limit=1.5',
    '/events?limit=99999999999999999999',
    '/events?limit=1&limit=2',
    '/events?type=register&agent_id=a&agent_id=b',
  ])('refuses %s with the Go registry answer', async (path) => {
    const [a, b] = await Promise.all([get(ours.baseUrl, path), get(go.baseUrl, path)]);
    expect(a.status).toBe(400);
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  });
});

describe('GET /events across replicas', () => {
  it('serves on one replica the events written through the other, at once', async () => {
    await using first = await startRegistry();
    await using second = await startRegistry({ databaseUrl: first.databaseUrl });
    expect((await postJson(first.baseUrl, '/heartbeat', agent('solo-99aa88bb'))).status).toBe(200);
    const res: HttpResponse = await get(second.baseUrl, '/events?agent_id=solo-99aa88bb');
    const body = JSON.parse(res.body) as { count: number; events: EventJson[] };
    expect(body.count).toBe(1);
    expect(body.events[0]).toMatchObject({ event_type: 'register', agent_name: 'solo' });
  });
});
