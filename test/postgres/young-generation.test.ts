import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

/** The young-generation flag the running registry was (re-)executed with, from /proc. */
async function semiSpaceOf(env: Record<string, string>): Promise<string | undefined> {
  const registry = await spawnRegistry(undefined, env);
  try {
    const argv = readFileSync(`/proc/${registry.child.pid}/cmdline`, 'utf8').split('\0');
    return argv.find((arg) => arg.startsWith('--max-semi-space-size'));
  } finally {
    registry.child.kill('SIGTERM');
    expect(await registry.exited).toBe(0);
  }
}

describe('the young generation bin/mcp-mesh-registry runs with', () => {
  it('is 8 MB on PostgreSQL, where requests outlive scavenges while they wait for the database', async () => {
    const url = await createPostgresDatabase(inject('postgresAdminUrl'));
    expect(await semiSpaceOf({ MCP_MESH_DATABASE_URL: url })).toBe('--max-semi-space-size=8');
    expect(await semiSpaceOf({ MCP_MESH_DATABASE_URL: '', DATABASE_URL: url })).toBe(
      '--max-semi-space-size=8',
    );
  });

  it('is 2 MB on SQLite, and the user’s own choice wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-semi-'));
    const sqlite = `sqlite://${join(dir, 'registry.db')}`;
    expect(await semiSpaceOf({ MCP_MESH_DATABASE_URL: sqlite })).toBe('--max-semi-space-size=2');
    expect(
      await semiSpaceOf({ MCP_MESH_DATABASE_URL: sqlite, NODE_OPTIONS: '--max-semi-space-size=4' }),
    ).toBe(undefined);
  });
});
