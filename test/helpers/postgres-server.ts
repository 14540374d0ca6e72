import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// .ts, not .js: bench/run.ts loads this helper with plain Node (type stripping), outside vitest.
import { freePort } from './free-port.ts';

/** The password of the test clusters' superuser: tests check that it never shows in output. */
export const TEST_PASSWORD = 'mesh-test-s3cret';

/** The newest PostgreSQL server binaries of Debian's packages; throws when none is installed. */
export function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): `apt-get install -y postgresql` (.ci/run does it)',
    );
  }
  return join(root, versions[0]!, 'bin');
}

/**
 * Runs a PostgreSQL program. PostgreSQL refuses to run as root, and CI runs as root, so there
 * it runs as `nobody` through runuser.
 */
export function runPg(program: string, args: string[], cwd: string): void {
  const path = join(binDir(), program);
  const isRoot = process.getuid?.() === 0;
  const [command, commandArgs] = isRoot ? ['runuser', ['-u', 'nobody', '--', path, ...args]] : [path, args];
  const result = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
}

export interface PostgresServer extends AsyncDisposable {
  /** Superuser URL of the `postgres` database, password included. */
  adminUrl: string;
  port: number;
  dir: string;
  /** Stops the server (fast shutdown: connections are cut, committed data stays). */
  stop(): void;
  /** Starts it again on the same port and data. */
  start(): void;
}

/**
 * A fresh PostgreSQL cluster in a temp dir: initdb, then the server on a free 127.0.0.1 port with
 * its unix socket in the same dir, password authentication over TCP. Fsync is off: the tests kill
 * registries, never the machine.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${TEST_PASSWORD}\n`, { mode: 0o644 });
  runPg(
    'initdb',
    ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256'],
    dir,
  );
  rmSync(pwfile);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c max_connections=300',
  ].join(' ');
  const start = () =>
    runPg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start'], dir);
  const stop = () => runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], dir);
  start();
  return {
    adminUrl: `postgresql://postgres:${TEST_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    stop,
    async [Symbol.asyncDispose]() {
      try {
        stop();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
