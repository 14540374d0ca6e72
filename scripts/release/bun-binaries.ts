// Fetches a platform's Bun binary from npm (the `@oven/bun-<platform>` packages, the ones the
// `bun` package installs) once, into the same cache folder as the Node binaries, with `npm pack`:
// the registry's integrity check applies as for any package, and no install script runs.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CACHE_DIR } from '../cache-dir.ts';
import { readTarFiles } from './tar.ts';

/** The Bun version measured for the registry (docs/benchmarks.md, "Memory (issue 19)"). */
export const BUN_VERSION = '1.4.4';

/** Where the Bun binaries are kept between runs: `<cache>/bun-binaries/<package>-<version>/`. */
export const BUN_BINARIES_DIR = join(CACHE_DIR, 'bun-binaries');

/** npm's name for Bun's package of this machine (`@oven/bun-linux-x64`, `@oven/bun-darwin-aarch64`, …). */
export function hostBunPackage(): string {
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  return `@oven/bun-${process.platform === 'win32' ? 'windows' : process.platform}-${arch}`;
}

/** Returns the path of the cached Bun binary of `npmPackage`, downloading it when missing. */
export function bunBinary(npmPackage = hostBunPackage(), version = BUN_VERSION): string {
  const windows = npmPackage.includes('windows');
  const dir = join(BUN_BINARIES_DIR, `${npmPackage.replace('/', '+')}-${version}`);
  const binary = join(dir, windows ? 'bun.exe' : 'bun');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const spec = `${npmPackage}@${version}`;
  process.stderr.write(`fetching ${spec} from npm\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', spec, '--pack-destination', dir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball in ${dir}`);
  const files = readTarFiles(gunzipSync(readFileSync(join(dir, tarball))));
  const path = windows ? 'package/bin/bun.exe' : 'package/bin/bun';
  const file = files.get(path);
  if (!file) throw new Error(`${spec} has no ${path}`);
  // Written under a temporary name first so that an interrupted run never leaves half a binary.
  writeFileSync(`${binary}.part`, file.data);
  chmodSync(`${binary}.part`, 0o755);
  renameSync(`${binary}.part`, binary);
  rmSync(join(dir, tarball));
  return binary;
}
