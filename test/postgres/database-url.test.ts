import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import { agent } from '../helpers/agent-record.js';
import { postJson } from '../helpers/http-request.js';
import { spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

describe('DATABASE_URL naming a PostgreSQL database', () => {
  it('is used when MCP_MESH_DATABASE_URL is unset, in the postgres:// form the Go registry takes', async () => {
    const url = new URL(await createPostgresDatabase(inject('postgresAdminUrl')));
    url.protocol = 'postgres:';
    const registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: '',
      DATABASE_URL: url.toString(),
    });
    try {
      const res = await postJson(registry.baseUrl, '/agents/register_with_metadata', {
        agent_id: 'via-database-url',
        metadata: {},
        timestamp: '2025-06-08T10:00:00.000000',
      });
      expect(res.status).toBe(201);
    } finally {
      registry.child.kill('SIGTERM');
      expect(await registry.exited).toBe(0);
    }
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT id FROM mesh_agents');
      expect(rows).toEqual([{ id: 'via-database-url' }]);
    } finally {
      await client.end();
    }
  });
});

describe('libpq settings in the database URL', () => {
  it('connects with sslmode=prefer whether or not the server speaks TLS, under the application_name given', async () => {
    const url = new URL(await createPostgresDatabase(inject('postgresAdminUrl')));
    url.searchParams.set('sslmode', 'prefer');
    url.searchParams.set('application_name', 'mesh-probe');
    const store = await openStore(url.toString());
    try {
      await store.upsertAgent(agent('prefer-probe'));
      expect(store.getAgent('prefer-probe')?.id).toBe('prefer-probe');
      const probe = new URL(url);
      probe.search = '';
      const client = new Client({ connectionString: probe.toString() });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'mesh-probe'",
        );
        expect(rows[0].n).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
    } finally {
      await store.close();
    }
  });
});
