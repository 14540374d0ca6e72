// Fetches a platform's Node binary from npm (the `node` package's platform packages) once,
// into a cache folder, with `npm pack`: the registry's integrity check applies as for any package.
// The cache folder is outside the checkout (scripts/cache-dir.ts), so `npm ci`, which empties
// node_modules/, does not throw the downloads away.
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
import type { Target } from './targets.ts';

/** Where the Node binaries are kept between runs: `<cache>/node-binaries/<package>-<version>/`. */
export const NODE_BINARIES_DIR = join(CACHE_DIR, 'node-binaries');

/** Returns the path of the cached Node binary for the target, downloading it when missing. */
export function nodeBinary(target: Target, version: string): string {
  const dir = join(NODE_BINARIES_DIR, `${target.nodePackage}-${version}`);
  const binary = join(dir, `node${target.exeSuffix}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const spec = `${target.nodePackage}@${version}`;
  process.stderr.write(`fetching ${spec} from npm\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', spec, '--pack-destination', dir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} wrote no tarball in ${dir}`);
  const files = readTarFiles(gunzipSync(readFileSync(join(dir, tarball))));
  const file = files.get(target.binaryPath);
  if (!file) throw new Error(`${spec} has no ${target.binaryPath}`);
  // Written under a temporary name first so that an interrupted run never leaves half a binary.
  writeFileSync(`${binary}.part`, file.data);
  chmodSync(`${binary}.part`, 0o755);
  renameSync(`${binary}.part`, binary);
  rmSync(join(dir, tarball));
  return binary;
}
