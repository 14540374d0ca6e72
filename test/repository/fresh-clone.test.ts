/**
 * What a fresh clone runs: CI runs exactly the README's test command, and what that command
 * downloads, builds and installs between runs stays out of the checkout (one cache folder beside
 * every clone, scripts/cache-dir.ts), so the test run leaves the checkout as it found it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../../scripts/cache-dir.ts';
import { CACHED_HELM } from '../../scripts/release/helm.ts';
import { NODE_BINARIES_DIR } from '../../scripts/release/node-binaries.ts';
import { KUBERNETES_VALIDATE_VENV } from '../deploy/kubernetes-validate.ts';
import { SDK_VERSIONS, toolsDir, venvDirFor } from '../helpers/python-env.js';
import { REPO_ROOT } from '../helpers/registry-process.js';

/** `path` lies in `dir` (or is it). */
const isInside = (path: string, dir: string) => {
  const rel = relative(dir, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
};

describe('a fresh clone', () => {
  it("runs in CI the README's test command and nothing else", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const testCommand = firstBlock
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .find((command) => /\bnpm test$/.test(command));
    expect(testCommand).toBe('npm ci && npm test');
    // Beyond the shell's set-up (strict mode, the checkout as working directory), only that command.
    const commands = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '' && line !== 'set -euo pipefail' && line !== 'cd "$(dirname "$0")/.."');
    expect(commands).toEqual([testCommand]);
  });

  it('keeps every cache of the tests (venvs, meshctl, Helm, Node binaries) in one folder outside the checkout', () => {
    expect(isInside(CACHE_DIR, REPO_ROOT)).toBe(false);
    const caches = {
      ...Object.fromEntries(SDK_VERSIONS.map((version) => [`SDK ${version} venv`, venvDirFor(version)])),
      'kubernetes-validate venv': KUBERNETES_VALIDATE_VENV,
      'upstream meshctl': toolsDir(),
      Helm: CACHED_HELM,
      'Node binaries of the release tests': NODE_BINARIES_DIR,
    };
    const misplaced = Object.entries(caches)
      .filter(([, path]) => !isInside(path, CACHE_DIR) || isInside(path, REPO_ROOT))
      .map(([what, path]) => `${what}: ${path}`);
    expect(misplaced).toEqual([]);
    // The README says where they are, so that a user can find and delete them.
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain(
      `\`~/.cache/${relative(join(CACHE_DIR, '..'), CACHE_DIR)}/\``,
    );
  });
});
