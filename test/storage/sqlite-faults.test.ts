import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/registry/http/app.js';
import { loadRegistryConfig } from '../../src/shared/config.js';
import { openStore } from '../../src/storage/open-store.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { tempDir } from '../helpers/temp-dir.js';

// SQLite faults the registry must not hide: the file deleted or replaced while it runs, a full
// disk, a read-only filesystem. Each against the real registry (store, app, HTTP) on a real file.

/** The registry on `file` at 127.0.0.1, its log kept (what it says about the fault). */
async function startOn(file: string) {
  let log = '';
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        log += line;
      },
    },
  );
  const config = {
    ...loadRegistryConfig(
      { host: '127.0.0.1', port: 0 },
      { MCP_MESH_ACCESS_LOG: 'false', HEALTH_CHECK_INTERVAL: '3600' },
    ),
    databaseUrl: `sqlite://${file}`,
  };
  const store = await openStore(config.databaseUrl, { logger });
  const app = await buildApp({ config, store, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => log,
    async [Symbol.asyncDispose]() {
      await app.close();
      await store.close().catch(() => {});
    },
  };
}

const register = (baseUrl: string, id: string, extra: Record<string, unknown> = {}) =>
  postJson(baseUrl, '/heartbeat', heartbeatBody(id, extra));

const health = (baseUrl: string) => send(baseUrl, { path: '/health' });

async function agentIds(baseUrl: string): Promise<string[]> {
  const res = await send(baseUrl, { path: '/agents' });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { agents: { id: string }[] }).agents.map((agent) => agent.id).sort();
}

/** Polls until `request` answers `status`; fails after `limitMs`. */
async function until(
  request: () => Promise<HttpResponse>,
  status: number,
  limitMs: number,
): Promise<HttpResponse> {
  const started = performance.now();
  for (;;) {
    const res = await request();
    if (res.status === status) return res;
    if (performance.now() - started > limitMs) throw new Error(`still ${res.status} ${res.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectRefused(res: HttpResponse, reason: RegExp): void {
  expect(res.status, res.body).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(JSON.parse(res.body).detail).toMatch(reason);
}

/** A tmpfs of `size` at a fresh mount point (we run as root); unmounted on dispose. */
function tmpfs(size: string): { path: string } & Disposable {
  const dir = tempDir('mesh-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir.path]);
  return {
    path: dir.path,
    [Symbol.dispose]() {
      execFileSync('umount', ['-l', dir.path]);
      dir[Symbol.dispose]();
    },
  };
}

/**
 * A 16 MB ext4 file system on a loop device (we run as root), mounted with errors=remount-ro;
 * unmounted on dispose. `forceReadOnly` raises an ext4 error, as a failing disk would.
 */
function ext4Volume() {
  const dir = tempDir('mesh-ext4-');
  const image = join(dir.path, 'volume.img');
  const path = join(dir.path, 'mnt');
  execFileSync('truncate', ['-s', '16M', image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  execFileSync('mkdir', [path]);
  const mount = () => execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, path]);
  mount();
  const device = () =>
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .find((fields) => fields[1] === path)?.[0];
  return {
    path,
    forceReadOnly() {
      const name = device()?.replace('/dev/', '');
      writeFileSync(`/sys/fs/ext4/${name}/trigger_fs_error`, 'test: forced read-only');
    },
    repair() {
      execFileSync('umount', [path]);
      // Exit status 1: errors found and corrected (the one the test raised).
      const fsck = spawnSync('e2fsck', ['-y', '-f', image], { stdio: 'ignore' });
      if (fsck.status !== 0 && fsck.status !== 1) throw new Error(`e2fsck exited ${fsck.status}`);
      mount();
    },
    [Symbol.dispose]() {
      execFileSync('umount', ['-l', path]);
      dir[Symbol.dispose]();
    },
  };
}

/** Writes `path` until the filesystem is full. */
function fillDisk(path: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(path, `filler-${i}`), chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      // The last, partial chunk: fill what is left.
      try {
        writeFileSync(join(path, 'filler-rest'), Buffer.alloc(4096, 1));
      } catch {}
      return;
    }
  }
}

describe('the SQLite database file lost while the registry runs', () => {
  for (const how of ['deleted', 'replaced'] as const) {
    it(`acknowledges no write once the file is ${how}, fails /health, and says why`, async () => {
      using dir = tempDir('mesh-lost-');
      const file = join(dir.path, 'registry.db');
      await using registry = await startOn(file);
      expect((await register(registry.baseUrl, 'before-1')).status).toBe(200);

      if (how === 'deleted') {
        unlinkSync(file);
      } else {
        // A restore from a copy: another file (inode) at the same path.
        copyFileSync(file, `${file}.copy`);
        renameSync(`${file}.copy`, file);
      }
      // Writes right away (before any periodic check could see it) are refused, never acknowledged.
      for (let i = 0; i < 5; i++)
        expectRefused(await register(registry.baseUrl, `after-${i}`), /deleted or replaced/);
      const head = await send(registry.baseUrl, { method: 'HEAD', path: '/heartbeat/before-1' });
      expect(head.status).toBe(503);
      expect(head.headers['retry-after']).toBe('1');
      const unhealthy = await health(registry.baseUrl);
      expectRefused(unhealthy, /^Service unhealthy: Registry database file was deleted or replaced/);
      expect(registry.log()).toContain('DATABASE LOST');
      // It stays refused: nothing written after the loss is ever acknowledged.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expectRefused(await register(registry.baseUrl, 'later'), /deleted or replaced/);
    }, 60_000);
  }

  it('fails /health within a second of the deletion even without writes', async () => {
    using dir = tempDir('mesh-lost-');
    const file = join(dir.path, 'registry.db');
    await using registry = await startOn(file);
    expect((await health(registry.baseUrl)).status).toBe(200);
    rmSync(file);
    rmSync(`${file}-wal`, { force: true });
    const started = performance.now();
    await until(() => health(registry.baseUrl), 503, 5000);
    expect(performance.now() - started).toBeLessThan(1500);
  }, 30_000);
});

describe('a SQLite database on a full disk', () => {
  it('answers 503 while writes fail, /health too, and recovers once space is freed, without a restart', async () => {
    using volume = tmpfs('4m');
    const file = join(volume.path, 'registry.db');
    await using registry = await startOn(file);
    expect((await register(registry.baseUrl, 'before')).status).toBe(200);
    fillDisk(volume.path);

    // New agents with large metadata need new pages: on a full disk the write fails.
    const big = 'x'.repeat(60_000);
    let refused: HttpResponse | undefined;
    const acknowledged: string[] = ['before'];
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const res = await register(registry.baseUrl, `big-${i}`, {
        version: big.slice(0, 100),
        description: big,
      });
      if (res.status === 200) acknowledged.push(`big-${i}`);
      else refused = res;
    }
    expect(refused).toBeDefined();
    expectRefused(refused!, /^Registry database cannot store changes \(disk full\)/);
    expectRefused(
      await health(registry.baseUrl),
      /^Service unhealthy: Registry database cannot store changes \(disk full\)/,
    );

    for (let i = 0; ; i++) {
      try {
        unlinkSync(join(volume.path, `filler-${i}`));
      } catch {
        break;
      }
    }
    await until(() => health(registry.baseUrl), 200, 5000);
    expect((await register(registry.baseUrl, 'after')).status).toBe(200);
    acknowledged.push('after');
    expect(await agentIds(registry.baseUrl)).toEqual(acknowledged.sort());
  }, 90_000);

  it('keeps the write-ahead log bounded: a large transaction leaves no large log behind', async () => {
    using volume = tmpfs('64m');
    const file = join(volume.path, 'registry.db');
    await using registry = await startOn(file);
    // One registration of about 6 MB: one transaction, so a log of that size at least.
    const tools = Array.from({ length: 100 }, (_, t) => ({
      function_name: `f${t}`,
      capability: `c${t}`,
      description: 'y'.repeat(60_000),
    }));
    expect((await register(registry.baseUrl, 'burst', { tools })).status).toBe(200);
    // Checkpoints copy the log into the file; the next write starts it over and cuts it back.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await register(registry.baseUrl, 'next')).status).toBe(200);
    const walBytes = Number(execFileSync('stat', ['-c', '%s', `${file}-wal`], { encoding: 'utf8' }).trim());
    expect(walBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
  }, 60_000);
});

describe('a SQLite database the registry cannot write', () => {
  it('answers 503 once the kernel turns its filesystem read-only (an I/O error), /health too, and acknowledges nothing after', async () => {
    using volume = ext4Volume();
    const file = join(volume.path, 'registry.db');
    {
      await using registry = await startOn(file);
      expect((await register(registry.baseUrl, 'before')).status).toBe(200);
      // Copied into the file by the checkpointer (every 250 ms): a commit still only in the
      // log's page cache is lost with the filesystem, as on a power cut (synchronous = NORMAL).
      await new Promise((resolve) => setTimeout(resolve, 800));
      // What ext4 does on an error with errors=remount-ro: read-only at once, open files or not.
      volume.forceReadOnly();
      expectRefused(
        await register(registry.baseUrl, 'while-read-only', { description: 'x'.repeat(10_000) }),
        /^Registry database cannot store changes \((read-only|I\/O error|cannot open file)\)/,
      );
      expectRefused(
        await health(registry.baseUrl),
        /^Service unhealthy: Registry database cannot store changes/,
      );
      // What was acknowledged is still served, and writes stay refused: a later commit that
      // overwrites the log's pages in memory is not taken for a durable one.
      expect(await agentIds(registry.baseUrl)).toEqual(['before']);
      await new Promise((resolve) => setTimeout(resolve, 600));
      for (let i = 0; i < 3; i++)
        expectRefused(await register(registry.baseUrl, 'before'), /^Registry database cannot store changes/);
      expectRefused(
        await health(registry.baseUrl),
        /^Service unhealthy: Registry database cannot store changes/,
      );
    }
    // Repaired (fsck) and mounted again: a restart finds exactly what was acknowledged.
    volume.repair();
    await using again = await startOn(file);
    expect(await agentIds(again.baseUrl)).toEqual(['before']);
  }, 60_000);

  it('answers 503 while its file is made immutable, /health too, and recovers when it is writable again', async () => {
    using volume = ext4Volume();
    const file = join(volume.path, 'registry.db');
    await using registry = await startOn(file);
    expect((await register(registry.baseUrl, 'before')).status).toBe(200);
    // Root ignores file modes: the immutable attribute is what makes a file read-only to root.
    // (Not the shared-memory index: SQLite maps it, and a write to it would be SIGBUS.)
    const attributes = (flag: '+i' | '-i') => {
      for (const suffix of ['', '-wal']) execFileSync('chattr', [flag, `${file}${suffix}`]);
    };
    attributes('+i');
    try {
      expectRefused(
        await register(registry.baseUrl, 'while-immutable', { description: 'x'.repeat(10_000) }),
        /^Registry database cannot store changes/,
      );
      expectRefused(
        await health(registry.baseUrl),
        /^Service unhealthy: Registry database cannot store changes/,
      );
    } finally {
      attributes('-i');
    }
    await until(() => health(registry.baseUrl), 200, 5000);
    expect((await register(registry.baseUrl, 'after')).status).toBe(200);
    expect(await agentIds(registry.baseUrl)).toEqual(['after', 'before']);
  }, 60_000);

  for (const files of ['with its log', 'closed cleanly'] as const) {
    it(`refuses to start on a read-only filesystem (the database ${files}), saying what to do`, async () => {
      using volume = tmpfs('8m');
      using source = tempDir('mesh-source-');
      const file = join(volume.path, 'registry.db');
      {
        await using first = await startOn(join(source.path, 'registry.db'));
        expect((await register(first.baseUrl, 'kept')).status).toBe(200);
        // As a registry that was killed leaves it: the file with its log and shared memory.
        if (files === 'with its log') {
          for (const suffix of ['', '-wal', '-shm'])
            copyFileSync(join(source.path, `registry.db${suffix}`), `${file}${suffix}`);
        }
      }
      if (files === 'closed cleanly') copyFileSync(join(source.path, 'registry.db'), file);
      execFileSync('mount', ['-o', 'remount,ro', volume.path]);
      try {
        // main() prints this message and hint and exits 1 (as for any database it cannot open).
        const opened = openStore(`sqlite://${file}`);
        await expect(opened).rejects.toThrow(
          /^Cannot open SQLite database .*registry\.db: the database cannot be written/,
        );
        await expect(opened).rejects.toMatchObject({
          hint: expect.stringMatching(/read-only file or filesystem/),
        });
      } finally {
        execFileSync('mount', ['-o', 'remount,rw', volume.path]);
      }
    }, 60_000);
  }
});
