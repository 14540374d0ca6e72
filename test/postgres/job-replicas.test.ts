/**
 * MeshJobs across registry processes sharing one PostgreSQL database: many claimers spread over
 * two replicas take every job exactly once, and a replica killed with SIGKILL mid-traffic loses
 * nothing it acknowledged — its claims are reclaimed after their lease, through the survivor.
 */
import { Agent, request } from 'node:http';
import { Client } from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

const CAPABILITY = 'render_report';

const running: RegistryProcess[] = [];
afterEach(async () => {
  for (const replica of running.splice(0)) await replica[Symbol.asyncDispose]();
});

/** How a request to a replica killed with SIGKILL can fail: its connection broke or was refused. */
const BROKEN_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Two registry processes on one fresh PostgreSQL database, and that database's URL. */
async function startReplicas(env: Record<string, string> = {}) {
  const url = await createPostgresDatabase(inject('postgresAdminUrl'));
  const replicas = await Promise.all(
    // The holders' endpoints are fakes: no endpoint checks, only their timeout decides.
    [0, 1].map(() =>
      spawnRegistry(undefined, { MCP_MESH_DATABASE_URL: url, MCP_MESH_HEARTBEAT_PROBE_AFTER: '0', ...env }),
    ),
  );
  running.push(...replicas);
  return { url, replicas: replicas as [RegistryProcess, RegistryProcess] };
}

async function queryDatabase<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A provider agent of CAPABILITY registered (healthy) through the current protocol. */
async function registerProvider(baseUrl: string, id: string): Promise<void> {
  const tools = [{ function_name: 'render', capability: CAPABILITY, version: '1.0.0', tags: [] }];
  const res = await postJson(baseUrl, '/heartbeat', heartbeatBody(id, { tools }));
  expect(res.status).toBe(200);
}

async function submitJob(baseUrl: string, n: number, extra: Record<string, unknown> = {}) {
  return postJson(baseUrl, '/jobs', {
    capability: CAPABILITY,
    submitted_by: 'consumer-1',
    submitted_payload: { n },
    ...extra,
  });
}

interface Claimed {
  id: string;
  claim_epoch: number;
  attempt_count: number;
  lease_expires_at: number;
}

function claimedOf(status: number, body: string): Claimed | undefined {
  expect(status, body).toBe(200);
  const { claimed } = JSON.parse(body) as { claimed: Claimed[] };
  expect(claimed.length).toBeLessThanOrEqual(1);
  return claimed[0];
}

async function claim(baseUrl: string, instanceId: string): Promise<Claimed | undefined> {
  const res = await postJson(baseUrl, '/jobs/claim', { capability: CAPABILITY, instance_id: instanceId });
  return claimedOf(res.status, res.body);
}

/**
 * A claimer as the SDK's claim loop is: one HTTP client keeping its connection to a replica open,
 * so claims follow each other as fast as the replica answers.
 */
function claimClient(baseUrl: string, instanceId: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/jobs/claim', baseUrl);
  const body = JSON.stringify({ capability: CAPABILITY, instance_id: instanceId });
  return {
    claim: () =>
      new Promise<Claimed | undefined>((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              try {
                resolve(claimedOf(res.statusCode ?? 0, text));
              } catch (error) {
                reject(error);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** Milliseconds until `check` holds, polling every 50 ms; fails after `limitMs`. */
async function msUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > limitMs) throw new Error(`not true within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

describe('MeshJobs on several registry processes sharing one PostgreSQL', () => {
  it('gives each of 200 jobs to exactly one of 20 claimers racing over two replicas, and loses none', async () => {
    const { url, replicas } = await startReplicas();
    const claimers = Array.from({ length: 20 }, (_, i) => `worker-c${String(i).padStart(2, '0')}`);
    await Promise.all(claimers.map((id, i) => registerProvider(replicas[i % 2]!.baseUrl, id)));
    const submitted = await Promise.all(
      Array.from({ length: 200 }, async (_, n) => {
        const res = await submitJob(replicas[n % 2]!.baseUrl, n);
        expect(res.status).toBe(201);
        return (JSON.parse(res.body) as { id: string }).id;
      }),
    );

    // Every claimer claims through both replicas in turn, over its own kept-alive connections,
    // until a claim answers nothing: only then is every job taken (a locked row is skipped, never
    // waited for, so an empty answer while jobs are left would stop a claimer early and lose jobs).
    const answers: { job: Claimed; claimer: string; replica: number }[] = [];
    await Promise.all(
      claimers.map(async (claimer, i) => {
        const clients = replicas.map((replica) => claimClient(replica.baseUrl, claimer));
        try {
          for (let turn = i; ; turn++) {
            const replica = turn % 2;
            const job = await clients[replica]!.claim();
            if (job === undefined) return;
            answers.push({ job, claimer, replica });
          }
        } finally {
          for (const client of clients) client.close();
        }
      }),
    );

    // From the answers: each job handed out once, at its first epoch and attempt.
    const claimsPerJob = new Map<string, number>();
    for (const { job } of answers) claimsPerJob.set(job.id, (claimsPerJob.get(job.id) ?? 0) + 1);
    expect([...claimsPerJob.values()].filter((count) => count !== 1)).toEqual([]);
    expect([...claimsPerJob.keys()].sort()).toEqual([...submitted].sort());
    expect(answers.every(({ job }) => job.claim_epoch === 1 && job.attempt_count === 1)).toBe(true);
    // The race was real: both replicas and most claimers took jobs.
    expect(new Set(answers.map((a) => a.replica)).size).toBe(2);
    expect(new Set(answers.map((a) => a.claimer)).size).toBeGreaterThan(10);

    // From the database: the same 200 jobs, each claimed once, held by the claimer that was told.
    const rows = await queryDatabase<{
      id: string;
      owner_instance_id: string;
      claim_epoch: string;
      attempt_count: string;
    }>(url, 'SELECT id, owner_instance_id, claim_epoch, attempt_count FROM mesh_jobs ORDER BY id');
    const holderOf = new Map(answers.map(({ job, claimer }) => [job.id, claimer]));
    expect(rows.map((row) => row.id)).toEqual([...submitted].sort());
    expect(
      rows.filter(
        (row) =>
          Number(row.claim_epoch) !== 1 ||
          Number(row.attempt_count) !== 1 ||
          row.owner_instance_id !== holderOf.get(row.id),
      ),
    ).toEqual([]);
    // And neither replica has anything left to give.
    for (const replica of replicas) expect(await claim(replica.baseUrl, claimers[0]!)).toBeUndefined();
  }, 60_000);

  it('keeps every job, claim and event a SIGKILLed replica acknowledged; its claims come back through the survivor after their lease', async () => {
    // Leases of 3 s (the jobs' max_duration), swept every 0.2 s; holders stay healthy meanwhile,
    // so only an expired lease can give their jobs back.
    const { url, replicas } = await startReplicas({
      HEALTH_CHECK_INTERVAL: '0.2',
      DEFAULT_TIMEOUT_THRESHOLD: '120',
    });
    const [victim, survivor] = replicas;
    const LEASE_SECONDS = 3;
    const job = { max_duration: LEASE_SECONDS, max_retries: 10 };
    const workers = Array.from({ length: 8 }, (_, i) => `worker-k${i}`);
    await Promise.all(workers.map((id) => registerProvider(survivor.baseUrl, id)));
    await registerProvider(survivor.baseUrl, 'worker-reclaimer');
    for (let n = 0; n < 40; n++) expect((await submitJob(survivor.baseUrl, n, job)).status).toBe(201);

    // What each replica acknowledged (answered 2xx).
    const submittedOk: { id: string; replica: RegistryProcess }[] = [];
    const claimsOk: { job: Claimed; replica: RegistryProcess; worker: string; at: number }[] = [];
    const eventsOk: { jobId: string; seq: number; payload: unknown; replica: RegistryProcess }[] = [];
    let stopped = false;
    /** One request: its 2xx body, or undefined when the kill broke the connection to the victim. */
    const attempt = async (replica: RegistryProcess, path: string, body: unknown) => {
      try {
        const res = await postJson(replica.baseUrl, path, body);
        expect(res.status, res.body).toBeLessThan(300);
        return JSON.parse(res.body) as Record<string, unknown>;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (replica !== victim || !(code && BROKEN_CONNECTION.has(code))) throw error;
        return undefined;
      }
    };
    // Each worker, on one replica: submit a job, claim one, post two events on it; until the
    // victim dies (its workers) or the test stops them (the survivor's).
    const loops = workers.map(async (worker, i) => {
      const replica = replicas[i % 2]!;
      for (let n = 0; !stopped; n++) {
        const created = await attempt(replica, '/jobs', {
          capability: CAPABILITY,
          submitted_by: 'consumer-1',
          submitted_payload: { worker, n },
          ...job,
        });
        if (created === undefined) return;
        submittedOk.push({ id: created.id as string, replica });
        const answer = await attempt(replica, '/jobs/claim', { capability: CAPABILITY, instance_id: worker });
        if (answer === undefined) return;
        const claimed = (answer.claimed as Claimed[])[0];
        if (claimed === undefined) continue;
        claimsOk.push({ job: claimed, replica, worker, at: Date.now() / 1000 });
        for (const step of [1, 2]) {
          const payload = { worker, n, step };
          const posted = await attempt(replica, `/jobs/${claimed.id}/events`, { type: 'progress', payload });
          if (posted === undefined) return;
          eventsOk.push({ jobId: claimed.id, seq: posted.seq as number, payload, replica });
        }
      }
    });
    // Killed once it has acknowledged some of everything, so it dies mid-traffic however loaded
    // the machine is.
    await msUntil(
      async () =>
        [submittedOk, claimsOk, eventsOk].every(
          (acks) => acks.filter((ack) => ack.replica === victim).length >= 3,
        ),
      15_000,
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    await new Promise((r) => setTimeout(r, 100));
    stopped = true;
    await Promise.all(loops);
    const fromVictim = <T extends { replica: RegistryProcess }>(acks: T[]) =>
      acks.filter((ack) => ack.replica === victim);
    expect(fromVictim(submittedOk).length).toBeGreaterThanOrEqual(3);
    expect(submittedOk.length).toBeGreaterThan(fromVictim(submittedOk).length);

    // Every acknowledged job is in the database and served by the survivor.
    const jobRows = await queryDatabase<{ id: string; claim_epoch: string }>(
      url,
      'SELECT id, claim_epoch FROM mesh_jobs',
    );
    const stored = new Map(jobRows.map((row) => [row.id, Number(row.claim_epoch)]));
    expect(submittedOk.filter(({ id }) => !stored.has(id))).toEqual([]);
    for (const { id } of fromVictim(submittedOk)) {
      expect((await send(survivor.baseUrl, { path: `/jobs/${id}` })).status).toBe(200);
    }
    // Every acknowledged claim was written: the job's epoch is at least the one its holder was told.
    expect(claimsOk.filter(({ job: j }) => (stored.get(j.id) ?? 0) < j.claim_epoch)).toEqual([]);
    // Every acknowledged event is in the database, and the survivor serves it.
    const eventRows = await queryDatabase<{ job_id: string; seq: string; payload: string }>(
      url,
      'SELECT job_id, seq, payload FROM mesh_job_events',
    );
    const storedEvents = new Map(eventRows.map((row) => [`${row.job_id}#${row.seq}`, row.payload]));
    expect(
      eventsOk.filter(
        (event) => storedEvents.get(`${event.jobId}#${event.seq}`) !== JSON.stringify(event.payload),
      ),
    ).toEqual([]);
    for (const event of fromVictim(eventsOk)) {
      const res = await send(survivor.baseUrl, {
        path: `/jobs/${event.jobId}/events?after=${event.seq - 1}`,
      });
      const served = JSON.parse(res.body) as { events: { seq: number; payload: unknown }[] };
      expect(served.events[0]).toMatchObject({ seq: event.seq, payload: event.payload });
    }

    // No job was handed out again, during the traffic, before its previous holder's lease ran out.
    const early = [...new Set(claimsOk.map((ack) => ack.job.id))].flatMap((id) => {
      const claims = claimsOk
        .filter((ack) => ack.job.id === id)
        .sort((a, b) => a.job.claim_epoch - b.job.claim_epoch);
      return claims.slice(1).filter((ack, i) => ack.at < claims[i]!.job.lease_expires_at);
    });
    expect(early).toEqual([]);

    // The jobs the victim handed out last are held (their lease still runs), then come back through
    // the survivor once it has run out, at a new epoch that fences the old holder.
    const lastClaim = new Map<string, (typeof claimsOk)[number]>();
    for (const ack of claimsOk) {
      const seen = lastClaim.get(ack.job.id);
      if (seen === undefined || seen.job.claim_epoch < ack.job.claim_epoch) lastClaim.set(ack.job.id, ack);
    }
    const heldByVictim = new Map([...lastClaim].filter(([, ack]) => ack.replica === victim));
    expect(heldByVictim.size).toBeGreaterThanOrEqual(3);
    const reclaimed = new Map<string, { job: Claimed; at: number }>();
    await msUntil(
      async () => {
        const again = await claim(survivor.baseUrl, 'worker-reclaimer');
        if (again !== undefined && heldByVictim.has(again.id)) {
          reclaimed.set(again.id, { job: again, at: Date.now() / 1000 });
        }
        return reclaimed.size === heldByVictim.size;
      },
      (LEASE_SECONDS + 8) * 1000,
    );
    for (const [id, { job: before, worker }] of heldByVictim) {
      const after = reclaimed.get(id)!;
      expect(after.job.claim_epoch).toBeGreaterThan(before.claim_epoch);
      expect(after.job.attempt_count).toBeGreaterThan(before.attempt_count);
      // Not before the victim's lease ran out (whole seconds, rounded down, in the answer).
      expect(after.at).toBeGreaterThanOrEqual(before.lease_expires_at);
      // The old holder is fenced: its update at the old epoch is refused.
      const stale = await postJson(survivor.baseUrl, '/jobs/batch', {
        instance_id: worker,
        deltas: [{ id, claim_epoch: before.claim_epoch, status: 'completed', result: { stale: true } }],
      });
      expect(JSON.parse(stale.body)).toMatchObject({ accepted: 0, rejected: [{ id }] });
    }
  }, 60_000);
});
