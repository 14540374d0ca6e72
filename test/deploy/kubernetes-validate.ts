// The Kubernetes schema check, offline: the `kubernetes-validate` package from PyPI ships the
// JSON schemas of every Kubernetes release from 1.25 to 1.37 inside its wheel, so nothing is
// fetched at validation time (kubeconform would download them from GitHub).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../../scripts/cache-dir.ts';

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
export const KUBERNETES_VALIDATE_VENV = join(CACHE_DIR, 'venv-kubernetes-validate');
/** Every package of the venv, pinned (`pip freeze` of a venv where the chart test passed). */
export const KUBERNETES_VALIDATE_CONSTRAINTS = join(
  import.meta.dirname,
  'kubernetes-validate-constraints.txt',
);
const VENV = KUBERNETES_VALIDATE_VENV;

/**
 * The validator's executable, installed once into a venv in the cache folder (`npm test` does it
 * before Vitest starts, scripts/test-prerequisites.ts) with every package pinned by the
 * constraints file beside this one (a change of it reinstalls); `onInstall` is called when it
 * installs.
 */
export function kubernetesValidate(onInstall: () => void = () => {}): string {
  const bin = join(VENV, 'bin', 'kubernetes-validate');
  const pins = createHash('sha256').update(readFileSync(KUBERNETES_VALIDATE_CONSTRAINTS)).digest('hex');
  const stamp = join(VENV, `.installed-${KUBERNETES_VALIDATE_VERSION}-${pins.slice(0, 16)}`);
  if (existsSync(stamp)) return bin;
  onInstall();
  rmSync(VENV, { recursive: true, force: true });
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(
    join(VENV, 'bin', 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '-c',
      KUBERNETES_VALIDATE_CONSTRAINTS,
      `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`,
    ],
    { stdio: 'inherit' },
  );
  // Written last: a half-done install is redone.
  writeFileSync(stamp, '');
  return bin;
}
