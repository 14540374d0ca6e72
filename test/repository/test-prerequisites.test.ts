/**
 * The first step of `npm test` (scripts/test-prerequisites.ts) where it cannot install: it names
 * each missing package and why the tests need it, prints the one `apt-get install` line to run,
 * and stops with exit code 1 before it installs anything (no apt-get run, no Helm build, no venv).
 *
 * The script runs as `npm test` runs it, on the pinned Node, with a PATH of one folder that holds
 * only what a case gives it (so `strip`, `skopeo`, `umoci` and `chromium` are missing whatever this machine
 * has), and with its cache folder in a temporary directory. Which user it runs as is what the
 * script asks `process.getuid()`; a preloaded line answers for the case.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const NODE_24 = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
const SCRIPT = join(REPO_ROOT, 'scripts', 'test-prerequisites.ts');
/** Packages whose tools are found on PATH: with PATH reduced to one folder, these are missing. */
const ALWAYS_MISSING = ['binutils', 'skopeo', 'umoci', 'chromium'];
const PREFIX = 'test prerequisites: ';

interface Run {
  code: number | null;
  lines: string[];
  /** The arguments of every apt-get call, one line each. */
  aptGetCalls: string[];
  /** What the script put in its cache folder. */
  cached: string[];
}

function runAs(uid: number, withAptGet: boolean): Run {
  using dir = tempDir('mesh-prerequisites-');
  const bin = join(dir.path, 'bin');
  const cache = join(dir.path, 'cache');
  const aptLog = join(dir.path, 'apt-get.log');
  mkdirSync(bin);
  if (withAptGet) {
    // Stands in for apt-get: records its arguments; the script must never call it here.
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> '${aptLog}'\nexit 1\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
  }
  const preload = `data:text/javascript,${encodeURIComponent(`process.getuid = () => ${uid};`)}`;
  const result = spawnSync(NODE_24, ['--import', preload, SCRIPT], {
    cwd: REPO_ROOT,
    env: { HOME: dir.path, PATH: bin, XDG_CACHE_HOME: cache },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    code: result.status,
    lines: `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== ''),
    aptGetCalls: existsSync(aptLog) ? readFileSync(aptLog, 'utf8').split('\n').filter(Boolean) : [],
    cached: existsSync(cache) ? readdirSync(cache, { recursive: true }).map(String) : [],
  };
}

/** The packages the run said are missing, in the order it said so. */
const missingNames = (run: Run) =>
  run.lines.flatMap((line) => /^test prerequisites: missing (\S+): \S/.exec(line)?.[1] ?? []);

function expectStoppedBeforeInstalling(run: Run, reason: string): void {
  expect(run.code, run.lines.join('\n')).toBe(1);
  const missing = missingNames(run);
  expect(missing).toEqual(expect.arrayContaining(ALWAYS_MISSING));
  // The instruction, then the exact command for everything that is missing, in one line.
  const stop = run.lines.indexOf(
    `${PREFIX}cannot install them here (${reason}); install them, then run npm test again:`,
  );
  expect(stop, run.lines.join('\n')).toBeGreaterThan(-1);
  expect(run.lines[stop + 1]).toBe(`  sudo apt-get install -y ${missing.join(' ')}`);
  // Each missing package is named once, with why the tests need it, before the instruction.
  expect(run.lines.slice(0, stop)).toEqual(
    missing.map((name) => expect.stringMatching(`^${PREFIX}missing ${name}: `)),
  );
  // Nothing was installed, built or downloaded.
  expect(run.aptGetCalls).toEqual([]);
  expect(run.cached).toEqual([]);
  expect(run.lines.filter((line) => /installing|building|ready/.test(line))).toEqual([]);
}

describe('npm test where its prerequisites cannot be installed', () => {
  it('as a user other than root: names what is missing and why, prints the apt-get line to run, and stops', () => {
    expectStoppedBeforeInstalling(runAs(1000, true), 'not root');
  });

  it('as root on a system without apt-get: says so, prints the same line, and stops', () => {
    expectStoppedBeforeInstalling(runAs(0, false), 'no apt-get');
  });
});
