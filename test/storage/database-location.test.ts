import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/http-request.js';
import { runRegistry, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Neither variable inherited from the environment the tests run in; each case sets its own. */
const NO_DATABASE_ENV = { MCP_MESH_DATABASE_URL: '', DATABASE_URL: '' };

/** Every file below `dir`, as paths relative to it (the registry must create nothing else). */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** Starts the executable in `cwd` with `env`, registers agent `id`, stops it with SIGTERM. */
async function registerOnce(cwd: string, env: Record<string, string>, id: string): Promise<void> {
  const registry = await spawnRegistry(undefined, { ...NO_DATABASE_ENV, ...env }, 20_000, { cwd });
  try {
    const res = await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: id,
      metadata: {},
      timestamp: '2025-06-08T10:00:00.000000',
    });
    expect(res.status).toBe(201);
  } finally {
    registry.child.kill('SIGTERM');
    expect(await registry.exited).toBe(0);
  }
}

/** Whether the SQLite file at `path` holds agent `id` (read-only, beside no running registry). */
function isAgentStoredIn(path: string, id: string): boolean {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT count(*) AS n FROM mesh_agents WHERE id = ?').get(id)?.n === 1;
  } finally {
    db.close();
  }
}

describe('where the registry keeps its SQLite database', () => {
  it('refuses a database whose folder does not exist, names the path, exits 1 and creates nothing', async () => {
    using dir = tempDir();
    const missing = join(dir.path, 'nonexistent', 'dir');
    const result = await runRegistry(['--host', '127.0.0.1', '--port', '0'], {
      ...NO_DATABASE_ENV,
      MCP_MESH_DATABASE_URL: `sqlite:///${join(missing, 'x.db').slice(1)}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `❌ Failed to start registry service: Cannot open SQLite database ${join(missing, 'x.db')}: directory ${missing} does not exist\n`,
    );
    expect(existsSync(join(dir.path, 'nonexistent'))).toBe(false);
  });

  it('names the resolved path when a relative URL points into a missing folder', async () => {
    using dir = tempDir();
    const result = await runRegistry(
      ['--host', '127.0.0.1', '--port', '0'],
      { ...NO_DATABASE_ENV, DATABASE_URL: 'sqlite://missing/x.db' },
      { cwd: dir.path },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Cannot open SQLite database ${join(dir.path, 'missing', 'x.db')}: directory ${join(dir.path, 'missing')} does not exist`,
    );
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('refuses a database path whose folder is a file', async () => {
    using dir = tempDir();
    await registerOnce(dir.path, {}, 'a');
    const result = await runRegistry(['--port', '0'], {
      ...NO_DATABASE_ENV,
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'mcp_mesh_registry.db', 'x.db')}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir.path, 'mcp_mesh_registry.db')} is not a directory`);
  });

  it('keeps nothing on disk for sqlite::memory:', async () => {
    using dir = tempDir();
    await registerOnce(dir.path, { MCP_MESH_DATABASE_URL: 'sqlite::memory:' }, 'in-memory');
    expect(filesBelow(dir.path)).toEqual([]);
  });

  // Each accepted form, end to end: the process runs in `work` (inside `root`), the file must be
  // where the form says and nowhere else.
  const cases: Array<[string, (root: string) => Record<string, string>, string]> = [
    ['no variable: ./mcp_mesh_registry.db', () => ({}), 'work/mcp_mesh_registry.db'],
    [
      'DATABASE_URL as a plain relative path (the Go registry)',
      () => ({ DATABASE_URL: 'go.db' }),
      'work/go.db',
    ],
    [
      'DATABASE_URL as sqlite:///absolute',
      (root) => ({ DATABASE_URL: `sqlite://${join(root, 'abs.db')}` }),
      'abs.db',
    ],
    [
      'MCP_MESH_DATABASE_URL before DATABASE_URL',
      (root) => ({
        MCP_MESH_DATABASE_URL: `sqlite://${join(root, 'mesh.db')}`,
        DATABASE_URL: `sqlite://${join(root, 'ignored.db')}`,
      }),
      'mesh.db',
    ],
    ['sqlite://relative/path', () => ({ MCP_MESH_DATABASE_URL: 'sqlite://data/rel.db' }), 'work/data/rel.db'],
    [
      'sqlite:///./relative (SQLAlchemy, the Python CLI)',
      () => ({ MCP_MESH_DATABASE_URL: 'sqlite:///./dot.db' }),
      'work/dot.db',
    ],
    ['sqlite:///../relative', () => ({ MCP_MESH_DATABASE_URL: 'sqlite:///../up.db' }), 'up.db'],
    ['sqlite:relative', () => ({ MCP_MESH_DATABASE_URL: 'sqlite:bare.db' }), 'work/bare.db'],
    [
      'sqlite:////absolute (SQLAlchemy)',
      (root) => ({ MCP_MESH_DATABASE_URL: `sqlite:///${join(root, 'four.db')}` }),
      'four.db',
    ],
    [
      'sqlite:///absolute, percent-decoded',
      (root) => ({
        MCP_MESH_DATABASE_URL: `sqlite://${join(root, 'with space').replaceAll(' ', '%20')}/p.db`,
      }),
      'with space/p.db',
    ],
  ];

  it.each(cases)('%s', async (_name, envOf, expected) => {
    using dir = tempDir();
    const work = join(dir.path, 'work');
    mkdirSync(join(work, 'data'), { recursive: true });
    mkdirSync(join(dir.path, 'with space'));
    const id = `agent-${expected.replace(/\W/g, '-')}`;
    await registerOnce(work, envOf(dir.path), id);
    const databases = filesBelow(dir.path).filter((file) => file.endsWith('.db'));
    expect(databases).toEqual([expected]);
    expect(isAgentStoredIn(join(dir.path, expected), id)).toBe(true);
  });
});
