/**
 * A replica reloads its whole snapshot only when the database really went back (a failover to a
 * copy that lags, a restore): never because a pull on one connection saw a commit of its own
 * before that commit's answer arrived on another. Under steady writes with frequent pulls, that
 * race happens many times a second; each false reload re-read every agent and made the scale
 * test's p99 on PostgreSQL seconds long.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { agent } from '../helpers/agent-record.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

describe('a PostgreSQL replica under steady writes', () => {
  it('never reloads every agent while its own commits and its pulls cross', async () => {
    const url = await createPostgresDatabase(inject('postgresAdminUrl'));
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        warnings.push(String(chunk));
        done();
      },
    });
    // Pulls every millisecond, so that they cross the commits as often as they can.
    const store = await openPostgresStore({ url, syncIntervalMs: 1, logger: pino({ level: 'warn' }, sink) });
    try {
      for (let i = 0; i < 200; i += 1) await store.upsertAgent(agent(`a${i}`, { status: 'healthy' }));
      for (let wave = 0; wave < 60; wave += 1) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.recordHeartbeat(`a${(wave * 50 + i) % 200}`, 2_000_000 + wave, 'healthy'),
          ),
        );
      }
      expect(store.size).toBe(200);
      expect(warnings.filter((line) => line.includes('reloaded every agent'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
