/**
 * `npm ci` on a fresh clone warns about nothing it could act on: every dependency's install
 * script is approved or denied in `allowScripts` (npm 11 lists the others after every install),
 * and on the pinned Node every engine is met. On Node 20 (the oldest the README allows for a
 * checkout), npm warns `EBADENGINE` for exactly the two packages the README names and explains.
 *
 * `npm ci --dry-run` reads the same package.json and lock and prints the same warnings, without
 * installing: it runs in a folder holding only the files `npm ci` reads.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeBinary } from '../../scripts/release/node-binaries.ts';
import { findTarget } from '../../scripts/release/targets.ts';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const NODE_24 = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
/** A Node 20 that npm 11 runs on (^20.17). */
const NODE_20 = '20.20.2';

/** The `npm warn` lines of `npm ci --dry-run` with `node` first on PATH (npm runs on it). */
function npmCiWarnings(node: string): string[] {
  using dir = tempDir('mesh-npm-ci-');
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
    copyFileSync(join(REPO_ROOT, file), join(dir.path, file));
  }
  const result = spawnSync('npm', ['ci', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir.path,
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  // npm prints the Node it runs on in each EBADENGINE block: make sure it is the one asked for.
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const current = result.stderr.match(/current: \{ node: '(v[\d.]+)'/g) ?? [];
  expect(current.every((line) => line.includes(version))).toBe(true);
  return result.stderr.split('\n').filter((line) => line.startsWith('npm warn'));
}

describe('npm ci on a fresh clone', () => {
  it('prints no warning on the pinned Node: every install script is in allowScripts, every engine met', () => {
    expect(npmCiWarnings(NODE_24)).toEqual([]);
  });

  it('warns on Node 20 only EBADENGINE, and only for the packages the README names', () => {
    const warnings = npmCiWarnings(nodeBinary(findTarget('linux-x64'), NODE_20));
    expect(warnings.filter((line) => !line.startsWith('npm warn EBADENGINE'))).toEqual([]);
    const packages = warnings.flatMap((line) => /package: '(.+)@[^@]+'/.exec(line)?.[1] ?? []);
    expect(packages).toEqual(['content-disposition', 'cookie']);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(
      'On Node 20, `npm ci` warns `EBADENGINE` for `content-disposition` and `cookie`',
    );
  });
});
