// Finds Helm and renders the chart. No registry this project reaches ships a Helm binary, so it
// is built from the Go module proxy: `npm test` does it into the cache folder when no Helm is
// found (scripts/test-prerequisites.ts); a `go install` by hand lands in $GOPATH/bin.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../cache-dir.ts';
import { REPO_ROOT } from './bundle.ts';

/** The Helm that `npm test` builds when none is found. */
export const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm@v3.22.0';
/** Where `npm test` puts it (`GOBIN` of its `go install`). */
export const CACHED_HELM = join(CACHE_DIR, 'bin', 'helm');

export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'mcp-mesh-registry');
export const MANIFESTS_DIR = join(REPO_ROOT, 'deploy', 'kubernetes');
/**
 * The Kubernetes version the manifests are rendered for: a Helm built with `go install` carries no
 * version of its own (it would say v1.20.0, below the chart's kubeVersion), so it is always given.
 */
export const KUBE_VERSION = '1.33.0';

/** The manifests shipped in deploy/kubernetes/, and the chart values each is rendered with. */
export const MANIFEST_VARIANTS: Record<string, string[]> = {
  'mcp-mesh-registry-sqlite.yaml': [],
  'mcp-mesh-registry-postgresql.yaml': [
    '--set',
    'database.type=postgresql',
    '--set',
    'replicaCount=3',
    '--set',
    'database.postgresql.existingSecret=mcp-mesh-registry-db',
  ],
};

/** $HELM, else the first `helm` on PATH, else the one in the cache, else $GOPATH/bin/helm. */
export function helmBinary(): string {
  if (process.env.HELM) return process.env.HELM;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'helm'))) return join(dir, 'helm');
  }
  if (existsSync(CACHED_HELM)) return CACHED_HELM;
  let gopath = '';
  try {
    gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
  } catch {
    // No Go either: the error below says what to install.
  }
  const built = join(gopath, 'bin', 'helm');
  if (gopath && existsSync(built)) return built;
  throw new Error(
    `helm not found: npm test builds it, or go install ${HELM_MODULE} (or set HELM=/path/to/helm)`,
  );
}

export function helm(args: string[]): string {
  return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `helm template` of the chart as release `mcp-mesh-registry` in namespace `mcp-mesh`. */
export function renderChart(valueArgs: readonly string[]): string {
  return helm([
    'template',
    'mcp-mesh-registry',
    CHART_DIR,
    '--namespace',
    'mcp-mesh',
    '--kube-version',
    KUBE_VERSION,
    ...valueArgs,
  ]);
}

/**
 * The text of a file in deploy/kubernetes/: a header that says where it comes from, then the render
 * without the `helm test` pod (a hook that only `helm test` creates).
 */
export function renderManifest(name: string): string {
  const values = MANIFEST_VARIANTS[name];
  if (!values) throw new Error(`no manifest variant ${name}`);
  const header = [
    `# Rendered from deploy/helm/mcp-mesh-registry by \`npm run render:manifests\`;`,
    `# edit the chart, not this file. Values: ${values.filter((arg) => arg !== '--set').join(' ') || 'the defaults'}.`,
    '# kubectl create namespace mcp-mesh && kubectl apply --namespace mcp-mesh -f <this file>',
  ].join('\n');
  return `${header}\n${renderChart([...values, '--skip-tests'])}`;
}
