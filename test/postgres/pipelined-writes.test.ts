import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { RegistryStore } from '../../src/storage/registry-store.js';
import { agent } from '../helpers/agent-record.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

/**
 * What the store's connections did, in order: a query asked of a client (by its prepared name,
 * or its text), bytes it wrote to its socket, bytes it read from it, and a query's answer.
 */
type QueryEvent =
  | { sent: string }
  | { answered: string; command: string | undefined }
  | { wrote: number }
  | { read: number };

/**
 * Records every query any `pg` client is asked for, what its socket writes and reads, and every
 * answer. The order is the program's own, not a matter of timing: a query written only once an
 * earlier answer has been read shows after that read.
 */
function recordQueries(): QueryEvent[] & Disposable {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  const events = [] as unknown as QueryEvent[] & Disposable;
  const watched = new Set<{ stream: import('node:net').Socket }>();
  const undo: (() => void)[] = [];
  const watch = (connection: { stream: import('node:net').Socket }) => {
    if (watched.has(connection)) return;
    watched.add(connection);
    const { stream } = connection;
    const write = stream.write;
    stream.write = function (this: typeof stream, ...args: Parameters<typeof write>) {
      events.push({ wrote: (args[0] as Buffer).length });
      return write.apply(this, args);
    } as typeof write;
    const onData = (data: Buffer) => events.push({ read: data.length });
    stream.on('data', onData);
    undo.push(() => {
      stream.write = write;
      stream.off('data', onData);
    });
  };
  prototype.query = function (
    this: pg.Client & { connection: { stream: import('node:net').Socket } },
    ...args
  ) {
    watch(this.connection);
    const config = args[0] as string | { name?: string; text: string };
    const label = typeof config === 'string' ? config : (config.name ?? config.text);
    events.push({ sent: label });
    const answer = query.apply(this, args);
    if (answer instanceof Promise) {
      answer.then(
        (result: pg.QueryResult) => events.push({ answered: label, command: result.command }),
        () => events.push({ answered: label, command: undefined }),
      );
    }
    return answer;
  };
  events[Symbol.dispose] = () => {
    prototype.query = query;
    for (const step of undo) step();
  };
  return events;
}

const sentIn = (events: QueryEvent[]) => events.flatMap((event) => ('sent' in event ? [event.sent] : []));
const firstIndex = (events: QueryEvent[], kind: 'answered' | 'read') =>
  events.findIndex((event) => kind in event);
const lastIndex = (events: QueryEvent[], kind: 'sent' | 'wrote') =>
  events.findLastIndex((event) => kind in event);

let opened: RegistryStore | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

/** A store without background pulls, so that its only queries are the ones a test makes. */
async function openStore(url?: string): Promise<RegistryStore> {
  opened = await openPostgresStore({
    url: url ?? (await createPostgresDatabase(inject('postgresAdminUrl'))),
    syncIntervalMs: 0,
  });
  return opened;
}

describe('a PostgreSQL write batch', () => {
  it('is sent whole, BEGIN to COMMIT, before its first answer is read: one round trip', async () => {
    const store = await openStore();
    const ids = Array.from({ length: 50 }, (_, i) => `agent-${i}`);
    await Promise.all(ids.map((id) => store.upsertAgent(agent(id))));

    using events = recordQueries();
    // Submitted together: one batch.
    const beaten = await Promise.all(ids.map((id, i) => store.recordHeartbeat(id, 2_000_000 + i, 'healthy')));

    expect(beaten.map((record) => record?.lastHeartbeat)).toEqual(ids.map((_, i) => 2_000_000 + i));
    expect(sentIn(events)).toEqual([
      'BEGIN',
      'mesh_bumpRevision',
      ...ids.map(() => 'mesh_heartbeat'),
      'COMMIT',
    ]);
    // Every query was asked for and written to the socket before the first answer was read.
    expect(lastIndex(events, 'sent')).toBeLessThan(firstIndex(events, 'answered'));
    expect(lastIndex(events, 'wrote')).toBeLessThan(firstIndex(events, 'read'));
    expect(events.at(-1)).toEqual({ answered: 'COMMIT', command: 'COMMIT' });
  });

  it('that PostgreSQL refuses a statement of is rolled back, then written again with an op in each savepoint', async () => {
    const store = await openStore();
    await store.upsertAgent(agent('beating'));

    using events = recordQueries();
    const results = await Promise.allSettled([
      store.upsertAgent(agent('first')),
      store.upsertAgent(agent('refused', { createdAt: Number.NaN })),
      store.recordHeartbeat('beating', 2_000_000, 'healthy'),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const sent = sentIn(events);
    const pipelined = ['BEGIN', 'mesh_bumpRevision'];
    pipelined.push('mesh_upsert', 'mesh_deleteTombstone', 'mesh_upsert', 'mesh_deleteTombstone');
    pipelined.push('mesh_heartbeat', 'COMMIT');
    expect(sent.slice(0, pipelined.length)).toEqual(pipelined);
    const firstRead = firstIndex(events, 'read');
    expect(sentIn(events.slice(0, firstRead))).toEqual(pipelined);
    // The transaction failed, so PostgreSQL rolled it back instead of committing it.
    const committed = events.filter((event) => 'answered' in event && event.answered === 'COMMIT');
    expect(committed).toEqual([
      { answered: 'COMMIT', command: 'ROLLBACK' },
      { answered: 'COMMIT', command: 'COMMIT' },
    ]);
    expect(sent.slice(pipelined.length)).toEqual([
      'BEGIN',
      'mesh_bumpRevision',
      'SAVEPOINT op',
      'mesh_upsert',
      'mesh_deleteTombstone',
      'RELEASE SAVEPOINT op',
      'SAVEPOINT op',
      'mesh_upsert',
      'mesh_deleteTombstone',
      'ROLLBACK TO SAVEPOINT op',
      'RELEASE SAVEPOINT op',
      'mesh_heartbeat',
      'COMMIT',
    ]);
    expect([...store.listAgents()].map((a) => [a.id, a.lastHeartbeat])).toEqual([
      ['beating', 2_000_000],
      ['first', null],
    ]);
  });

  it('of another process is pulled in one round trip after the revision check', async () => {
    const url = await createPostgresDatabase(inject('postgresAdminUrl'));
    const store = await openStore(url);
    const other = await openPostgresStore({ url, syncIntervalMs: 0 });
    try {
      await other.upsertAgent(agent('elsewhere'));
      await other.deleteAgent('elsewhere');
      await other.upsertAgent(agent('kept'));
    } finally {
      await other.close();
    }

    using events = recordQueries();
    await store.sync();

    expect([...store.listAgents()].map((a) => a.id)).toEqual(['kept']);
    const pulled = ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'mesh_readRevision'];
    pulled.push('mesh_selectChanged', 'mesh_selectDeleted', 'COMMIT');
    expect(sentIn(events)).toEqual(['mesh_readRevision', ...pulled]);
    // The transaction's statements were all sent before any of their answers was read.
    const begun = events.findIndex((event) => 'sent' in event && event.sent === pulled[0]);
    expect(sentIn(events.slice(begun, firstIndex(events.slice(begun), 'read') + begun))).toEqual(pulled);
  });
});
