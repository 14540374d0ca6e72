/**
 * The jobs API (MeshJob, `task=True` tools) asked of ours and of the Go registry 3.7.1 side by
 * side: the same requests, the same status codes and bodies once job ids and times are masked —
 * bad input on every route (nothing stored), a job's life from submission to cancel, release and
 * reclaim with fencing, pages of `GET /jobs`, long-polls of events, and drain.
 */

import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, send } from '../helpers/http-request.js';
import { ensureMeshctl } from '../helpers/python-env.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

type Request = Parameters<typeof send>[1];

const TIME_KEYS = new Set([
  'submitted_at',
  'lease_expires_at',
  'last_heartbeat_at',
  'created_at',
  'timestamp',
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Job ids numbered in order of first sight, per registry; times and cursors masked. */
class Masker {
  private readonly ids = new Map<string, string>();

  id(id: string): string {
    let masked = this.ids.get(id);
    if (masked === undefined) {
      masked = `<job${this.ids.size + 1}>`;
      this.ids.set(id, masked);
    }
    return masked;
  }

  value(value: unknown, key = ''): unknown {
    if (TIME_KEYS.has(key) && value !== null) return '<time>';
    if (key === 'next_cursor' && value !== null) return '<cursor>';
    if (typeof value === 'string') return value.replace(UUID, (id) => this.id(id));
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, this.value(item, k)]));
    }
    return value;
  }

  answer(res: HttpResponse) {
    let body: unknown = res.body;
    try {
      body = this.value(JSON.parse(res.body));
    } catch {}
    return { status: res.status, body, keys: keyOrder(res.body) };
  }
}

/** The order keys appear in the text (Go writes them in byte order). */
function keyOrder(text: string): string[] {
  return [...text.matchAll(/"([a-z_]+)":/g)].map((match) => match[1]!);
}

const json = (method: string, path: string, body: unknown): Request => ({
  method,
  path,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const JOB = {
  capability: 'render',
  submitted_by: 'consumer-1',
  submitted_payload: { args: { n: 1 }, z: [1, 'a'] },
};

describe('the jobs API, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  let oursIds: Masker;
  let goIds: Masker;

  const both = async (request: Request) => {
    const [a, b] = await Promise.all([send(ours.baseUrl, request), send(go.baseUrl, request)]);
    return { ours: oursIds.answer(a), go: goIds.answer(b), raw: { ours: a, go: b } };
  };
  const same = async (request: Request) => {
    const answers = await both(request);
    expect(answers.ours, `${request.method ?? 'GET'} ${request.path} ${request.body ?? ''}`).toEqual(
      answers.go,
    );
    return answers;
  };
  /** Creates a job on both; answers each registry's id. */
  const create = async (body: object = JOB) => {
    const { raw } = await same(json('POST', '/jobs', body));
    return { ours: JSON.parse(raw.ours.body).id as string, go: JSON.parse(raw.go.body).id as string };
  };
  /** The same request with each registry's own job id in the path. */
  const onJob = async (ids: { ours: string; go: string }, request: (id: string) => Request) => {
    const [a, b] = await Promise.all([
      send(ours.baseUrl, request(ids.ours)),
      send(go.baseUrl, request(ids.go)),
    ]);
    const answers = { ours: oursIds.answer(a), go: goIds.answer(b) };
    expect(answers.ours, request('<id>').path).toEqual(answers.go);
    return { ours: JSON.parse(a.body), go: JSON.parse(b.body), status: a.status };
  };

  beforeAll(async () => {
    [ours, go] = await Promise.all([
      startRegistry({ env: { MCP_MESH_CANCEL_EVENT_GRACE_MS: '0' } }),
      startGoRegistry({ MCP_MESH_CANCEL_EVENT_GRACE_MS: '0' }),
    ]);
    oursIds = new Masker();
    goIds = new Masker();
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it('refuses bad input on every route as the Go registry does, and stores nothing', async () => {
    const bad: Request[] = [
      json('POST', '/jobs', ''),
      json('POST', '/jobs', '{'),
      json('POST', '/jobs', '[]'),
      json('POST', '/jobs', 'nope'),
      json('POST', '/jobs', '{"a" 1}'),
      json('POST', '/jobs', '{"capability":"x",}'),
      json('POST', '/jobs', '{"capability":"x" "y"}'),
      json('POST', '/jobs', '[1,}'),
      json('POST', '/jobs', '"\\x"'),
      json('POST', '/jobs', '-a'),
      json('POST', '/jobs', { capability: 5 }),
      json('POST', '/jobs', {}),
      json('POST', '/jobs', { capability: 'x' }),
      json('POST', '/jobs', { capability: 'x', submitted_by: 'a' }),
      json('POST', '/jobs', { capability: 'x', submitted_by: 'a', submitted_payload: null }),
      json('POST', '/jobs', { capability: 'x', submitted_by: 'a', submitted_payload: [] }),
      json('POST', '/jobs', { ...JOB, max_retries: -1 }),
      json('POST', '/jobs', { ...JOB, max_duration: 0 }),
      json('POST', '/jobs', { ...JOB, max_duration: 1.5 }),
      json('POST', '/jobs', '{"capability":"x","submitted_by":"a","submitted_payload":{},"max_retries":1e2}'),
      json('POST', '/jobs', { ...JOB, total_deadline: '1' }),
      json(
        'POST',
        '/jobs',
        '{"capability":"x","submitted_by":"a","submitted_payload":{},"total_deadline":99999999999999999999}',
      ),
      json('POST', '/jobs', { ...JOB, owner_instance_id: 7 }),
      // Any content type is bound as JSON, as Go's ShouldBindJSON does; not the ones a browser sends
      // without a preflight (text/plain, forms: 415 on ours, docs/compatibility.md).
      {
        method: 'POST',
        path: '/jobs',
        headers: { 'content-type': 'application/octet-stream' },
        body: '{"capability":""}',
      },
      json('POST', '/jobs/batch', ''),
      json('POST', '/jobs/batch', { deltas: [{ id: 'x' }] }),
      json('POST', '/jobs/batch', { instance_id: 'i1' }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: {} }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [{ id: '' }] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [null] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [5] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [{ id: 'x', progress: 'a' }] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [{ id: 'x', recv_cursor: { a: 1.5 } }] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [{ id: 'x', recv_cursor: [] }] }),
      json('POST', '/jobs/batch', '{"instance_id":"i1","deltas":[{"id":"x","claim_epoch":1.0}]}'),
      json('POST', '/jobs/batch', { INSTANCE_ID: 'i1', deltas: [{ ID: 'x', status: 5 }] }),
      json('POST', '/jobs/batch', { instance_id: 'i1', deltas: [{ id: 'x', result: [1] }] }),
      json('POST', '/jobs/claim', ''),
      json('POST', '/jobs/claim', { capability: 'x' }),
      json('POST', '/jobs/claim', { instance_id: 'i' }),
      json('POST', '/jobs/claim', { capability: ['x'], instance_id: 'i' }),
      json('POST', '/jobs/unknown/release', 'garbage'),
      json('POST', '/jobs/unknown/release', { instance_id: '  ' }),
      json('POST', '/jobs/unknown/release', { instance_id: 'i', reason: 5 }),
      json('POST', '/jobs/unknown/cancel', { reason: 5 }),
      json('POST', '/jobs/unknown/cancel', 'garbage'),
      json('POST', '/jobs/unknown/events', ''),
      json('POST', '/jobs/unknown/events', { type: '  ' }),
      json('POST', '/jobs/unknown/events', { type: 5 }),
      json('POST', '/jobs/unknown/events', { type: 't', trace_context: [1] }),
      { path: '/jobs?limit=0' },
      { path: '/jobs?limit=201' },
      { path: '/jobs?limit=x' },
      { path: '/jobs?limit=5&limit=6' },
      { path: '/jobs?submitted_since=abc' },
      { path: '/jobs?status=running' },
      { path: '/jobs?status=working,,Done' },
      { path: '/jobs?cursor=@@' },
      { path: '/jobs?cursor=YWJj' },
      { path: '/jobs?cursor=eDp5' },
      { path: '/jobs?cursor=abcde' },
      { path: '/jobs?cursor=MTIzOg' },
      { path: '/jobs/unknown/events?instance_id=i1' },
      { path: '/jobs/unknown/events?claim_epoch=1&instance_id=' },
      { path: '/jobs/unknown/events?after=abc' },
      { path: '/jobs/unknown/events?wait=1.5' },
      { path: '/jobs/unknown/events?limit=x' },
      { path: '/jobs/unknown/events?instance_id=a&claim_epoch=x' },
      { path: '/jobs/unknown/events?after=1&after=2' },
    ];
    for (const request of bad) {
      const { ours: answer } = await same(request);
      expect(answer.status, `${request.path} ${request.body ?? ''}`).toBe(400);
    }
    // Nothing was stored on either.
    await same({ path: '/jobs' });
    expect(JSON.parse((await send(ours.baseUrl, { path: '/jobs' })).body)).toEqual({
      jobs: [],
      next_cursor: null,
    });
  });

  it('answers requests about a job that does not exist as the Go registry does', async () => {
    for (const request of [
      { path: '/jobs/unknown' },
      { path: '/jobs/%00' },
      { path: '/jobs/%F0%9F%98%80%3C%3E' },
      { path: '/jobs/unknown/events' },
      { path: '/jobs/unknown/events?instance_id=i&claim_epoch=1' },
      json('POST', '/jobs/unknown/release', { instance_id: 'i' }),
      json('POST', '/jobs/unknown/cancel', ''),
      { method: 'POST', path: '/jobs/unknown/cancel' },
      { method: 'POST', path: '/jobs/unknown/reclaim', body: 'garbage' },
      json('POST', '/jobs/unknown/events', { type: 't' }),
    ] satisfies Request[]) {
      const { ours: answer } = await same(request);
      expect(answer.status).toBe(404);
    }
  });

  it("follows a job from submission through claim, the holder's updates and events to cancel", async () => {
    const job = await create({ ...JOB, capability: 'life', max_duration: 30, total_deadline: 4102444800 });
    const fetched = await onJob(job, (id) => ({ path: `/jobs/${id}` }));
    expect(fetched.ours).toMatchObject({
      status: 'working',
      attempt_count: 0,
      claim_epoch: 0,
      total_deadline: 4102444800,
    });
    const claim = await same(json('POST', '/jobs/claim', { capability: 'life', instance_id: 'p1' }));
    expect(JSON.parse(claim.raw.ours.body).claimed).toHaveLength(1);
    await same(json('POST', '/jobs/claim', { capability: 'life', instance_id: 'p2' }));
    await onJob(job, (id) =>
      json('POST', '/jobs/batch', {
        instance_id: 'p1',
        deltas: [
          { id, claim_epoch: 1, progress: 0.3, progress_message: 'a third', recv_cursor: { f: 2 } },
          { id, claim_epoch: 2 },
          { id, status: 'bogus' },
          { id: 'missing' },
        ],
      }),
    );
    await onJob(job, (id) => json('POST', '/jobs/batch', { instance_id: 'p2', deltas: [{ id }] }));
    const updated = await onJob(job, (id) => ({ path: `/jobs/${id}` }));
    expect(updated.ours).toMatchObject({ progress: 0.3, recv_cursor: { f: 2 }, owner_instance_id: 'p1' });
    await onJob(job, (id) =>
      json('POST', `/jobs/${id}/events`, {
        type: ' note ',
        payload: [1, { b: 2, a: 1 }],
        trace_context: { t: 'x' },
      }),
    );
    await onJob(job, (id) => json('POST', `/jobs/${id}/events`, { type: 'other' }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events` }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events?after=1&types=other,%20x&limit=0` }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events?after=-4&limit=1` }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events?instance_id=p1&claim_epoch=1` }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events?instance_id=p1&claim_epoch=3` }));
    await onJob(job, (id) => ({ path: `/jobs/${id}/events?instance_id=p9&claim_epoch=1` }));
    const cancelled = await onJob(job, (id) =>
      json('POST', `/jobs/${id}/cancel`, { reason: 'no longer needed' }),
    );
    expect(cancelled.ours).toEqual({ forwarded_to_instance_id: 'p1', status: 'cancelled' });
    await onJob(job, (id) => json('POST', `/jobs/${id}/cancel`, ''));
    await onJob(job, (id) => ({ method: 'POST', path: `/jobs/${id}/reclaim` }));
    await onJob(job, (id) => json('POST', `/jobs/${id}/events`, { type: 'late' }));
    await onJob(job, (id) => json('POST', `/jobs/${id}/release`, { instance_id: 'p1' }));
    await onJob(job, (id) =>
      json('POST', '/jobs/batch', { instance_id: 'p1', deltas: [{ id, claim_epoch: 1 }] }),
    );
    const events = await onJob(job, (id) => ({ path: `/jobs/${id}/events?instance_id=p1&claim_epoch=1` }));
    expect(events.ours.events.map((event: { type: string }) => event.type)).toEqual([
      'note',
      'other',
      'cancelled',
    ]);
    const final = await onJob(job, (id) => ({ path: `/jobs/${id}` }));
    expect(final.ours).toMatchObject({ status: 'cancelled', error: 'cancelled: no longer needed' });
  });

  it('completes a job with its result, and refuses the holder after that', async () => {
    const job = await create({ ...JOB, capability: 'done' });
    await same(json('POST', '/jobs/claim', { capability: 'done', instance_id: 'p1' }));
    await onJob(job, (id) =>
      json('POST', '/jobs/batch', {
        instance_id: 'p1',
        deltas: [
          { id, claim_epoch: 1, status: 'completed', result: { content: [{ type: 'text', text: '<ok>' }] } },
        ],
      }),
    );
    await onJob(job, (id) =>
      json('POST', '/jobs/batch', { instance_id: 'p1', deltas: [{ id, progress: 1 }] }),
    );
    const done = await onJob(job, (id) => ({ path: `/jobs/${id}` }));
    expect(done.ours).toMatchObject({
      status: 'completed',
      result: { content: [{ type: 'text', text: '<ok>' }] },
    });
  });

  it('releases and reclaims as the Go registry does, fencing the superseded holder', async () => {
    const once = await create({ ...JOB, capability: 'once', max_retries: 0 });
    await same(json('POST', '/jobs/claim', { capability: 'once', instance_id: 'p1' }));
    await onJob(once, (id) => json('POST', `/jobs/${id}/release`, { instance_id: 'p2' }));
    await onJob(once, (id) =>
      json('POST', `/jobs/${id}/release`, { instance_id: ' p1 ', reason: 'TimeoutError' }),
    );
    await onJob(once, (id) => ({ path: `/jobs/${id}` }));

    const again = await create({ ...JOB, capability: 'again' });
    await same(json('POST', '/jobs/claim', { capability: 'again', instance_id: 'p1' }));
    await onJob(again, (id) => json('POST', `/jobs/${id}/release`, { instance_id: 'p1' }));
    await same(json('POST', '/jobs/claim', { capability: 'again', instance_id: 'p2' }));
    const reclaimed = await onJob(again, (id) => ({ method: 'POST', path: `/jobs/${id}/reclaim` }));
    expect(reclaimed.ours).toEqual({ claim_epoch: 2, previous_owner_instance_id: 'p2', status: 'working' });
    await onJob(again, (id) => ({ method: 'POST', path: `/jobs/${id}/reclaim` }));
    // Out of attempts (2 of 1 + 1 retry used): no claim.
    await same(json('POST', '/jobs/claim', { capability: 'again', instance_id: 'p2' }));
    await onJob(again, (id) =>
      json('POST', '/jobs/batch', { instance_id: 'p2', deltas: [{ id, claim_epoch: 2 }] }),
    );
    await onJob(again, (id) => ({ path: `/jobs/${id}` }));
  });

  it('pages GET /jobs with filters as the Go registry does', async () => {
    for (let i = 0; i < 3; i++)
      await create({ ...JOB, capability: 'paged', owner_instance_id: i === 0 ? 'o1' : '' });
    await same({ path: '/jobs?capability=paged&limit=2' });
    await same({ path: '/jobs?capability=paged&owner_instance_id=o1' });
    await same({ path: '/jobs?capability=%20paged%20&status=working,%20working' });
    await same({ path: '/jobs?capability=paged&status=completed' });
    await same({ path: '/jobs?capability=paged&submitted_since=4102444800' });
    const first = await both({ path: '/jobs?capability=paged&limit=2' });
    const next = (res: HttpResponse) => JSON.parse(res.body).next_cursor as string;
    const [a, b] = await Promise.all([
      send(ours.baseUrl, { path: `/jobs?capability=paged&limit=2&cursor=${next(first.raw.ours)}` }),
      send(go.baseUrl, { path: `/jobs?capability=paged&limit=2&cursor=${next(first.raw.go)}` }),
    ]);
    expect(oursIds.answer(a)).toEqual(goIds.answer(b));
    expect(JSON.parse(a.body)).toMatchObject({ next_cursor: null });
    expect(JSON.parse(a.body).jobs).toHaveLength(1);
  });

  it('answers a long-poll as soon as an event is posted, and after the wait when none is', async () => {
    const job = await create({ ...JOB, capability: 'poll' });
    const started = Date.now();
    const [polled] = await Promise.all([
      onJob(job, (id) => ({ path: `/jobs/${id}/events?wait=5` })),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
        onJob(job, (id) => json('POST', `/jobs/${id}/events`, { type: 'ping' })),
      ),
    ]);
    expect(polled.ours.events.map((event: { type: string }) => event.type)).toEqual(['ping']);
    expect(Date.now() - started).toBeLessThan(3000);
    const quiet = Date.now();
    const empty = await onJob(job, (id) => ({ path: `/jobs/${id}/events?after=1&wait=1` }));
    expect(empty.ours).toEqual({ events: [], next_after: 1 });
    expect(Date.now() - quiet).toBeGreaterThanOrEqual(900);
  });

  it('pauses claims while draining and counts live claims as the Go registry does', async () => {
    await create({ ...JOB, capability: 'drained' });
    const live = await same({ path: '/admin/drain' });
    await same({ method: 'POST', path: '/admin/drain' });
    await same(json('POST', '/jobs/claim', { capability: 'drained', instance_id: 'p1' }));
    await same({ method: 'DELETE', path: '/admin/drain' });
    await same(json('POST', '/jobs/claim', { capability: 'drained', instance_id: 'p1' }));
    const after = await same({ path: '/admin/drain' });
    expect(JSON.parse(after.raw.ours.body).live_claims).toBe(JSON.parse(live.raw.ours.body).live_claims + 1);
  });

  it('tells a provider of a capability with jobs waiting in X-Mesh-Pending-Jobs, as the Go registry does', async () => {
    await same(json('POST', '/heartbeat', heartbeatBody('timer-0a1b2c3d')));
    const head = { method: 'HEAD', path: '/heartbeat/timer-0a1b2c3d' };
    const pending = (res: HttpResponse) => res.headers['x-mesh-pending-jobs'];
    expect(pending((await both(head)).raw.go)).toBeUndefined();
    await create({ ...JOB, capability: 'time_service' });
    await create({ ...JOB, capability: 'time_service' });
    // A hint counted at most once a second by ours.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await send(ours.baseUrl, head);
    const { raw } = await both(head);
    expect(pending(raw.ours)).toBe('2');
    expect(pending(raw.ours)).toBe(pending(raw.go));
  });

  it("passes a cancel on to the holding agent with the caller's trace headers, as the Go registry does", async () => {
    const received: { path: string; body: string; trace: unknown }[] = [];
    const agent = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ path: request.url ?? '', body, trace: request.headers['x-trace-id'] });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (agent.address() as AddressInfo).port;
      await same(json('POST', '/heartbeat', heartbeatBody('worker-4e5f6a7b', { http_port: port })));
      const job = await create({ ...JOB, capability: 'forwarded' });
      await same(json('POST', '/jobs/claim', { capability: 'forwarded', instance_id: 'worker-4e5f6a7b' }));
      await onJob(job, (id) => ({
        ...json('POST', `/jobs/${id}/cancel`, { reason: 'stop "now"' }),
        headers: { 'content-type': 'application/json', 'x-trace-id': 'trace-1' },
      }));
      const deadline = Date.now() + 5000;
      while (received.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
        [job.ours, job.go]
          .map((id) => ({
            path: `/jobs/${id}/cancel`,
            body: '{"reason":"stop \\"now\\""}',
            trace: 'trace-1',
          }))
          .sort((a, b) => a.path.localeCompare(b.path)),
      );
    } finally {
      agent.close();
    }
  });

  it('gives no job to a provider whose capability is unavailable (a required dependency missing), as the Go registry', async () => {
    const tools = [
      {
        function_name: 'render',
        capability: 'gated',
        version: '1.0.0',
        dependencies: [{ capability: 'nobody_provides_this', required: true }],
      },
    ];
    await same(json('POST', '/heartbeat', heartbeatBody('gated-9c8d7e6f', { tools })));
    await create({ ...JOB, capability: 'gated' });
    const refused = await same(
      json('POST', '/jobs/claim', { capability: 'gated', instance_id: 'gated-9c8d7e6f' }),
    );
    expect(JSON.parse(refused.raw.ours.body)).toEqual({ claimed: [] });
    const taken = await same(
      json('POST', '/jobs/claim', { capability: 'gated', instance_id: 'elsewhere-1' }),
    );
    expect(JSON.parse(taken.raw.ours.body).claimed).toHaveLength(1);
  });

  it('serves meshctl job status and job reclaim as the Go registry does', async () => {
    const { meshctl } = await ensureMeshctl();
    using home = tempDir('mesh-meshctl-home-');
    const run = (baseUrl: string, args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          meshctl,
          [...args, '--registry-url', baseUrl],
          { timeout: 30_000, env: { PATH: process.env.PATH, HOME: home.path, NO_COLOR: '1' } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? -1) : 0, out: stdout + stderr }),
        );
      });
    const job = await create({ ...JOB, capability: 'meshctl' });
    await same(json('POST', '/jobs/claim', { capability: 'meshctl', instance_id: 'p1' }));
    await onJob(job, (id) =>
      json('POST', '/jobs/batch', {
        instance_id: 'p1',
        deltas: [{ id, claim_epoch: 1, progress_message: 'half' }],
      }),
    );
    const masked = (text: string, id: string) =>
      text
        .replaceAll(id, '<id>')
        .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\S*/g, '<time>')
        .replace(/\(in [^)]*\)|\([^)]* ago\)/g, '<when>')
        .replace(/\b1\d{9}\b/g, '<epoch>');
    for (const args of [
      (id: string) => ['job', 'status', id],
      (id: string) => ['job', 'status', id, '--json'],
      (id: string) => ['job', 'reclaim', id],
      (id: string) => ['job', 'status', id],
      () => ['job', 'status', 'unknown-job'],
    ]) {
      const [a, b] = await Promise.all([run(ours.baseUrl, args(job.ours)), run(go.baseUrl, args(job.go))]);
      const ourText = masked(a.out, job.ours);
      expect({ code: a.code, out: ourText }, args('<id>').join(' ')).toEqual({
        code: b.code,
        out: masked(b.out, job.go),
      });
    }
  });

  it('ends waiting long-polls when the registry closes, instead of holding the shutdown', async () => {
    const registry = await startRegistry();
    const { id } = JSON.parse((await send(registry.baseUrl, json('POST', '/jobs', JOB))).body);
    const polled = send(registry.baseUrl, { path: `/jobs/${id}/events?wait=30` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await registry[Symbol.asyncDispose]();
    const answer = await polled;
    expect(Date.now() - started).toBeLessThan(5000);
    expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({
      status: 200,
      body: { events: [], next_after: 0 },
    });
  });

  it('wakes a long-poll on one replica for an event another replica appended, and only for its types', async () => {
    const replica = await startRegistry({ databaseUrl: ours.databaseUrl });
    try {
      const { id } = JSON.parse((await send(ours.baseUrl, json('POST', '/jobs', JOB))).body);
      const started = Date.now();
      const polled = send(ours.baseUrl, { path: `/jobs/${id}/events?wait=10&types=wanted` });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await send(replica.baseUrl, json('POST', `/jobs/${id}/events`, { type: 'other' }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await send(replica.baseUrl, json('POST', `/jobs/${id}/events`, { type: 'wanted', payload: { n: 2 } }));
      const answer = JSON.parse((await polled).body);
      expect(answer.events.map((event: { seq: number; type: string }) => [event.seq, event.type])).toEqual([
        [2, 'wanted'],
      ]);
      expect(answer.next_after).toBe(2);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await replica[Symbol.asyncDispose]();
    }
  });
});
