/**
 * MeshJobs and their events on this run's dialect (`--project sqlite` and `--project postgres`):
 * read from the database by every process that shares it, claimed atomically, holder updates
 * fenced by owner and claim epoch, and swept by conditional updates.
 */
import { describe, expect, it } from 'vitest';
import type { JobDelta, NewJob } from '../../src/mesh/jobs/job.js';
import { openStore } from '../../src/storage/open-store.js';
import type { RegistryStore } from '../../src/storage/registry-store.js';
import { agent } from '../helpers/agent-record.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl, TEST_DIALECT } from '../helpers/test-database.js';

const SECOND = 1_000_000;
const T0 = 1_800_000_000 * SECOND;

async function withStores(run: (store: RegistryStore, other: RegistryStore) => Promise<void>): Promise<void> {
  using dir = tempDir();
  const url = await freshDatabaseUrl(dir.path, 'jobs.db');
  const store = await openStore(url);
  const other = await openStore(url);
  try {
    await run(store, other);
  } finally {
    await other.close();
    await store.close();
  }
}

function newJob(id: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id,
    capability: 'render',
    submittedBy: 'consumer-1',
    submittedPayload: { args: { n: 1 }, headers: {} },
    ownerInstanceId: null,
    maxRetries: 1,
    maxDuration: null,
    totalDeadline: null,
    submittedAt: T0,
    ...overrides,
  };
}

function delta(id: string, overrides: Partial<JobDelta> = {}): JobDelta {
  return {
    id,
    claimEpoch: undefined,
    status: undefined,
    progress: undefined,
    progressMessage: undefined,
    result: undefined,
    error: undefined,
    recvCursor: undefined,
    ...overrides,
  };
}

describe(`the ${TEST_DIALECT} job store`, () => {
  it('stores a submitted job and every process reads it back as submitted', async () => {
    await withStores(async (store, other) => {
      const created = await store.createJob(
        newJob('j1', { maxDuration: 30, totalDeadline: T0 + 60 * SECOND, submittedPayload: { a: [1, 'b'] } }),
      );
      expect(created).toMatchObject({
        status: 'working',
        attemptCount: 0,
        claimEpoch: 0,
        ownerInstanceId: null,
      });
      expect(await other.getJob('j1')).toEqual(created);
      expect(await other.getJob('nope')).toBeUndefined();
    });
  });

  it('lists newest first with filters and pages after a position', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('a', { submittedAt: T0 }));
      await store.createJob(newJob('b', { submittedAt: T0 + 1 }));
      await store.createJob(newJob('c', { submittedAt: T0 + 1, capability: 'other' }));
      await store.createJob(newJob('d', { submittedAt: T0 + 2, ownerInstanceId: 'p1' }));
      const ids = async (query: Partial<Parameters<RegistryStore['listJobs']>[0]>) =>
        (
          await other.listJobs({
            statuses: [],
            ownerInstanceId: undefined,
            capability: undefined,
            submittedSince: undefined,
            after: undefined,
            limit: 10,
            ...query,
          })
        ).map((job) => job.id);
      expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
      expect(await ids({ capability: 'render' })).toEqual(['d', 'b', 'a']);
      expect(await ids({ ownerInstanceId: 'p1' })).toEqual(['d']);
      expect(await ids({ submittedSince: T0 + 1 })).toEqual(['d', 'c', 'b']);
      expect(await ids({ after: { submittedAt: T0 + 1, id: 'c' } })).toEqual(['b', 'a']);
      expect(await ids({ limit: 2 })).toEqual(['d', 'c']);
      expect(await ids({ statuses: ['completed', 'failed'] })).toEqual([]);
      expect(await ids({ statuses: ['working'] })).toEqual(['d', 'c', 'b', 'a']);
    });
  });

  it('claims the oldest claimable job of a capability once: attempt and epoch +1, a lease of max_duration', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('new', { submittedAt: T0 + 5 }));
      await store.createJob(newJob('old', { submittedAt: T0, maxDuration: 30 }));
      await store.createJob(newJob('elsewhere', { capability: 'other' }));
      const claimed = await other.claimJob('render', 'p1', T0 + 10 * SECOND);
      expect(claimed).toMatchObject({
        id: 'old',
        ownerInstanceId: 'p1',
        attemptCount: 1,
        claimEpoch: 1,
        leaseExpiresAt: T0 + 40 * SECOND,
        lastHeartbeatAt: T0 + 10 * SECOND,
      });
      // The default lease is 300 s.
      expect((await store.claimJob('render', 'p2', T0))?.leaseExpiresAt).toBe(T0 + 300 * SECOND);
      expect(await store.claimJob('render', 'p3', T0)).toBeUndefined();
      expect(await store.claimJob('unknown', 'p3', T0)).toBeUndefined();
    });
  });

  it('hands every job to exactly one of many concurrent claimers on two processes', async () => {
    await withStores(async (store, other) => {
      for (let i = 0; i < 20; i++) await store.createJob(newJob(`j${i}`, { submittedAt: T0 + i }));
      const claims = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).claimJob('render', `p${i}`, T0)),
      );
      const claimedIds = claims.flatMap((job) => (job === undefined ? [] : [job.id]));
      expect(claimedIds).toHaveLength(20);
      expect(new Set(claimedIds).size).toBe(20);
    });
  });

  it('pauses claims while the registry drains, and counts live claims', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('a'));
      await store.createJob(newJob('b', { submittedAt: T0 + 1 }));
      await store.claimJob('render', 'p1', T0);
      expect(await other.countLiveClaims()).toBe(1);
      await other.setDraining(true);
      expect(await store.claimJob('render', 'p1', T0)).toBeUndefined();
      await other.setDraining(false);
      expect((await store.claimJob('render', 'p1', T0))?.id).toBe('b');
      expect(await other.countLiveClaims()).toBe(2);
      await store.applyJobDeltas('p1', [delta('a', { status: 'completed', result: {} })], T0);
      expect(await other.countLiveClaims()).toBe(1);
    });
  });

  it('never claims a job that has used all its attempts', async () => {
    await withStores(async (store) => {
      await store.createJob(newJob('once', { maxRetries: 0 }));
      await store.claimJob('render', 'p1', T0);
      await store.releaseJob({ id: 'once', instanceId: 'p1', claimEpoch: undefined, reason: 'boom' }, T0);
      expect(await store.getJob('once')).toMatchObject({
        status: 'failed',
        error: 'exhausted (release): boom',
      });
      expect(await store.claimJob('render', 'p2', T0)).toBeUndefined();
    });
  });

  it("applies the holder's deltas, fenced by owner and claim epoch, and says why each refused one was", async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j', { maxDuration: 10 }));
      await store.createJob(newJob('done'));
      await store.claimJob('render', 'p1', T0);
      await store.claimJob('render', 'p1', T0);
      await store.applyJobDeltas('p1', [delta('done', { status: 'completed', result: { ok: true } })], T0);
      const now = T0 + 5 * SECOND;
      const outcome = await other.applyJobDeltas(
        'p1',
        [
          delta('j', {
            claimEpoch: 1,
            progress: 0.25,
            progressMessage: 'quarter',
            recvCursor: { x: 3, y: 1 },
          }),
          delta('j', { claimEpoch: 2 }),
          delta('j', { claimEpoch: 1, status: 'bogus' }),
          delta('done', { claimEpoch: 1 }),
          delta('nope'),
          delta('j', { recvCursor: { x: 2, z: 7 } }),
        ],
        now,
      );
      expect(outcome).toEqual({
        accepted: 2,
        rejected: [
          { id: 'j', reason: 'claim_superseded' },
          { id: 'j', reason: 'invalid_status' },
          { id: 'done', reason: 'already_terminal' },
          { id: 'nope', reason: 'not_found' },
        ],
      });
      expect(await store.applyJobDeltas('p2', [delta('j')], now)).toEqual({
        accepted: 0,
        rejected: [{ id: 'j', reason: 'not_owner' }],
      });
      expect(await store.applyJobDeltas('p2', [delta('j', { claimEpoch: 1 })], now)).toEqual({
        accepted: 0,
        rejected: [{ id: 'j', reason: 'claim_superseded' }],
      });
      expect(await store.getJob('j')).toMatchObject({
        progress: 0.25,
        progressMessage: 'quarter',
        // Merged per key, never backwards.
        recvCursor: { x: 3, y: 1, z: 7 },
        leaseExpiresAt: now + 10 * SECOND,
        lastHeartbeatAt: now,
      });
      expect(await store.getJob('done')).toMatchObject({ status: 'completed', result: { ok: true } });
    });
  });

  it('leaves the lease of a job its holder ends, with its result or error', async () => {
    await withStores(async (store) => {
      await store.createJob(newJob('j'));
      const claimed = (await store.claimJob('render', 'p1', T0))!;
      await store.applyJobDeltas(
        'p1',
        [delta('j', { claimEpoch: 1, status: 'failed', error: 'bad' })],
        T0 + SECOND,
      );
      expect(await store.getJob('j')).toMatchObject({
        status: 'failed',
        error: 'bad',
        leaseExpiresAt: claimed.leaseExpiresAt,
        lastHeartbeatAt: T0 + SECOND,
      });
    });
  });

  it('releases a job back to the pool for the holder only, and never a terminal one', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j'));
      await store.claimJob('render', 'p1', T0);
      const release = { id: 'j', instanceId: 'p2', claimEpoch: undefined, reason: '' };
      expect(await other.releaseJob(release, T0)).toEqual({ refused: 'not_owner' });
      expect(await other.releaseJob({ ...release, instanceId: 'p1', claimEpoch: 9 }, T0)).toEqual({
        refused: 'not_owner',
      });
      expect(await other.releaseJob({ ...release, instanceId: 'p1' }, T0)).toEqual({
        status: 'working',
        attemptCount: 1,
      });
      expect(await store.getJob('j')).toMatchObject({ ownerInstanceId: null, leaseExpiresAt: null });
      expect((await store.claimJob('render', 'p2', T0))?.claimEpoch).toBe(2);
      await store.cancelJob({ id: 'j', reason: '', postedBy: null }, T0);
      expect(await other.releaseJob({ ...release, instanceId: 'p2' }, T0)).toEqual({ refused: 'terminal' });
      expect(await other.releaseJob({ ...release, id: 'nope' }, T0)).toEqual({ refused: 'not_found' });
    });
  });

  it('cancels a live job once, with its cancelled event, and names the holder to tell', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j'));
      await store.claimJob('render', 'p1', T0);
      await store.appendJobEvent({
        jobId: 'j',
        type: 'note',
        payload: null,
        traceContext: null,
        postedBy: null,
        createdAt: T0,
      });
      expect(await other.cancelJob({ id: 'j', reason: ' user asked ', postedBy: null }, T0 + 1)).toEqual({
        previousOwner: 'p1',
        eventSeq: 2,
      });
      expect(await store.getJob('j')).toMatchObject({ status: 'cancelled', error: 'cancelled: user asked' });
      expect(await store.cancelJob({ id: 'j', reason: '', postedBy: null }, T0 + 2)).toEqual({
        refused: 'terminal',
      });
      expect(await store.cancelJob({ id: 'nope', reason: '', postedBy: null }, T0 + 2)).toEqual({
        refused: 'not_found',
      });
      const events = await other.listJobEvents({ jobId: 'j', after: 0, types: [], limit: 100 });
      expect(events.map((event) => [event.seq, event.type, event.payload])).toEqual([
        [1, 'note', null],
        [2, 'cancelled', { reason: ' user asked ' }],
      ]);
    });
  });

  it('writes one cancelled event when two cancels of a job share a transaction and a time', async () => {
    await withStores(async (store) => {
      await store.createJob(newJob('j'));
      const cancel = () => store.cancelJob({ id: 'j', reason: '', postedBy: null }, T0 + 7);
      const answers = await Promise.all([cancel(), cancel()]);
      expect(answers).toEqual([{ previousOwner: null, eventSeq: 1 }, { refused: 'terminal' }]);
      const events = await store.listJobEvents({ jobId: 'j', after: 0, types: [], limit: 10 });
      expect(events.map((event) => [event.seq, event.type])).toEqual([[1, 'cancelled']]);
    });
  });

  it('reclaims a live job for an operator: claimable again, the old holder fenced by the next claim', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j'));
      await store.claimJob('render', 'p1', T0);
      expect(await other.reclaimJob('j')).toEqual({ status: 'working', claimEpoch: 1, previousOwner: 'p1' });
      expect(await other.reclaimJob('j')).toEqual({ status: 'working', claimEpoch: 1, previousOwner: null });
      expect((await store.claimJob('render', 'p1', T0))?.claimEpoch).toBe(2);
      expect(await store.applyJobDeltas('p1', [delta('j', { claimEpoch: 1, progress: 0.5 })], T0)).toEqual({
        accepted: 0,
        rejected: [{ id: 'j', reason: 'claim_superseded' }],
      });
      await store.cancelJob({ id: 'j', reason: '', postedBy: null }, T0);
      expect(await other.reclaimJob('j')).toEqual({ refused: 'terminal' });
      expect(await other.reclaimJob('nope')).toEqual({ refused: 'not_found' });
    });
  });

  it('numbers events per job and reads them after a seq, by type and up to a limit', async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j'));
      await store.createJob(newJob('k'));
      const post = (jobId: string, type: string, payload: unknown = null) =>
        (jobId === 'k' ? other : store).appendJobEvent({
          jobId,
          type,
          payload,
          traceContext: type === 'a' ? { traceparent: '00-x' } : null,
          postedBy: null,
          createdAt: T0,
        });
      const answers = await Promise.all([
        post('j', 'a', [1, 2]),
        post('j', 'b', 'text'),
        post('k', 'a'),
        post('j', 'c'),
      ]);
      expect(answers.map((answer) => ('seq' in answer ? answer.seq : answer.refused)).sort()).toEqual([
        1, 1, 2, 3,
      ]);
      const read = (query: Partial<Parameters<RegistryStore['listJobEvents']>[0]>) =>
        other.listJobEvents({ jobId: 'j', after: 0, types: [], limit: 100, ...query });
      expect((await read({})).map((event) => event.seq)).toEqual([1, 2, 3]);
      expect((await read({ after: 1 })).map((event) => event.seq)).toEqual([2, 3]);
      expect((await read({ types: ['a', 'c'] })).map((event) => event.type)).toEqual(['a', 'c']);
      expect((await read({ limit: 1 })).map((event) => event.seq)).toEqual([1]);
      const [first] = await read({});
      expect(first).toEqual({
        jobId: 'j',
        seq: 1,
        type: 'a',
        payload: [1, 2],
        traceContext: { traceparent: '00-x' },
        postedBy: null,
        createdAt: T0,
      });
      expect(await other.jobEventSeqs(['j', 'k', 'nope'])).toEqual(
        new Map([
          ['j', 3],
          ['k', 1],
        ]),
      );
      await store.cancelJob({ id: 'k', reason: '', postedBy: null }, T0);
      expect(await post('k', 'late')).toEqual({ refused: 'terminal' });
      expect(await post('nope', 'x')).toEqual({ refused: 'not_found' });
    });
  });

  it("fences an executor's event reads and extends the holder's lease, never past the deadline", async () => {
    await withStores(async (store, other) => {
      await store.createJob(newJob('j', { maxDuration: 10, totalDeadline: T0 + 15 * SECOND }));
      await store.claimJob('render', 'p1', T0);
      const read = { id: 'j', instanceId: 'p1', claimEpoch: 1 };
      expect(await other.authorizeExecutorRead(read, T0 + 2 * SECOND)).toBe('extended');
      expect(await store.getJob('j')).toMatchObject({
        leaseExpiresAt: T0 + 12 * SECOND,
        lastHeartbeatAt: T0 + 2 * SECOND,
      });
      expect(await other.authorizeExecutorRead(read, T0 + 8 * SECOND)).toBe('extended');
      expect((await store.getJob('j'))?.leaseExpiresAt).toBe(T0 + 15 * SECOND);
      expect(await other.authorizeExecutorRead({ ...read, claimEpoch: 2 }, T0)).toBe('superseded');
      expect(await other.authorizeExecutorRead({ ...read, instanceId: 'p2' }, T0)).toBe('superseded');
      expect(await other.authorizeExecutorRead({ ...read, id: 'nope' }, T0)).toBe('not_found');
      await store.cancelJob({ id: 'j', reason: '', postedBy: null }, T0);
      expect(await other.authorizeExecutorRead(read, T0)).toBe('terminal');
    });
  });

  it('sweeps expired leases, orphans and deadlines as conditional updates', async () => {
    await withStores(async (store, other) => {
      await store.upsertAgent(agent('alive', { status: 'healthy' }));
      await store.upsertAgent(agent('sick', { status: 'unhealthy' }));
      await store.createJob(newJob('leased', { maxDuration: 10 }));
      await store.createJob(newJob('exhausted', { maxDuration: 10, maxRetries: 0, submittedAt: T0 + 1 }));
      await store.createJob(newJob('orphan', { capability: 'o' }));
      await store.createJob(newJob('kept', { capability: 'k' }));
      await store.createJob(newJob('late', { capability: 'd', totalDeadline: T0 + 5 * SECOND }));
      await store.claimJob('render', 'alive', T0);
      await store.claimJob('render', 'alive', T0);
      await store.claimJob('o', 'sick', T0);
      await store.claimJob('k', 'alive', T0);
      await store.appendJobEvent({
        jobId: 'late',
        type: 'x',
        payload: null,
        traceContext: null,
        postedBy: null,
        createdAt: T0,
      });
      const now = T0 + 20 * SECOND;
      const [first, second] = await Promise.all([
        store.sweepJobs(now, undefined),
        other.sweepJobs(now, undefined),
      ]);
      const total = (key: keyof typeof first) => first[key] + second[key];
      expect([
        total('leasesReset'),
        total('leasesFailed'),
        total('orphansReset'),
        total('deadlined'),
      ]).toEqual([1, 1, 1, 1]);
      expect(await store.getJob('leased')).toMatchObject({
        status: 'working',
        ownerInstanceId: null,
        leaseExpiresAt: null,
      });
      expect(await store.getJob('exhausted')).toMatchObject({
        status: 'failed',
        error: 'lease expired: no completion within lease window',
      });
      expect(await store.getJob('orphan')).toMatchObject({ status: 'working', ownerInstanceId: null });
      expect(await store.getJob('kept')).toMatchObject({ status: 'working', ownerInstanceId: 'alive' });
      expect(await store.getJob('late')).toMatchObject({ status: 'failed', error: 'deadline_exceeded' });
      // Events of jobs terminal since before the cutoff go.
      await store.sweepJobs(now, now + 1);
      expect(await store.listJobEvents({ jobId: 'late', after: 0, types: [], limit: 10 })).toEqual([]);
    });
  });

  it('keeps text PostgreSQL cannot hold (U+0000, lone surrogates) in ids, types and cursors', async () => {
    await withStores(async (store, other) => {
      const id = 'j\u0000\ud800';
      await store.createJob(newJob(id, { capability: 'c\u0000' }));
      await store.claimJob('c\u0000', 'p\u0000', T0);
      expect(
        await store.applyJobDeltas(
          'p\u0000',
          [delta(id, { claimEpoch: 1, recvCursor: { 'k\u0000': 1 } })],
          T0,
        ),
      ).toEqual({ accepted: 1, rejected: [] });
      await store.appendJobEvent({
        jobId: id,
        type: 't\u0000',
        payload: null,
        traceContext: null,
        postedBy: null,
        createdAt: T0,
      });
      expect(await other.getJob(id)).toMatchObject({
        id,
        ownerInstanceId: 'p\u0000',
        recvCursor: { 'k\u0000': 1 },
      });
      expect(
        (await other.listJobEvents({ jobId: id, after: 0, types: ['t\u0000'], limit: 5 }))[0]?.type,
      ).toBe('t\u0000');
    });
  });
});
