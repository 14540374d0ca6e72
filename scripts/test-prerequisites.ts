// The first step of `npm test`: installs what the tests need beyond node_modules when it is
// missing, one line on stderr for each thing it installs and why, then gets out of the way.
// Debian packages come from apt-get (as root); Helm is built with `go install`; the Python venvs
// of the SDK and the upstream meshctl go to the cache folder (scripts/cache-dir.ts). Where it
// cannot install (not root, no apt-get, no Go), it says what to install and exits 1: a missing
// prerequisite fails the run rather than skipping tests.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  KUBERNETES_VALIDATE_CONSTRAINTS,
  KUBERNETES_VALIDATE_VENV,
  KUBERNETES_VALIDATE_VERSION,
  kubernetesValidate,
} from '../test/deploy/kubernetes-validate.ts';
import {
  constraintsFor,
  ensureMeshctl,
  ensureVenv,
  MESHCTL_PACKAGE,
  MESHCTL_VERSION,
  REPO_ROOT,
  SDK_VERSIONS,
  venvDirFor,
} from '../test/helpers/python-env.ts';
import { CACHE_DIR } from './cache-dir.ts';
import { CACHED_HELM, HELM_MODULE, helmBinary } from './release/helm.ts';

const say = (line: string) => process.stderr.write(`test prerequisites: ${line}\n`);

class Unmet extends Error {}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, command)));
}

function succeeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function took(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

interface AptPackage {
  name: string;
  why: string;
  isPresent(): boolean;
}

const PYTHON = process.env.MCP_MESH_TEST_PYTHON ?? 'python3';

const APT_PACKAGES: AptPackage[] = [
  {
    name: 'python3-venv',
    why: `the end-to-end tests run agents of the Python SDK in venvs (${PYTHON} -m venv)`,
    isPresent: () => succeeds(PYTHON, ['-c', 'import ensurepip, venv']),
  },
  {
    name: 'postgresql',
    why: 'the postgres test project starts its own clusters with initdb and postgres',
    isPresent: () => globSync('/usr/lib/postgresql/*/bin/initdb').length > 0,
  },
  {
    name: 'binutils',
    why: 'the release test strips the Node binary of the single executables (strip)',
    isPresent: () => onPath('strip'),
  },
  {
    name: 'skopeo',
    why: 'the release test reads and copies the container image archive',
    isPresent: () => onPath('skopeo'),
  },
  {
    name: 'umoci',
    why: 'the release test unpacks the image and runs the registry from it',
    isPresent: () => onPath('umoci'),
  },
  {
    name: 'chromium',
    why: 'the dashboard test opens /ui in a real headless browser (driven over its DevTools protocol)',
    isPresent: () => onPath('chromium') || (process.env.MESH_TEST_CHROMIUM ?? '') !== '',
  },
  {
    name: 'zsh',
    why: 'the CLI test loads the zsh completion script (mcp_mesh_dev completion zsh) in a real zsh',
    isPresent: () => onPath('zsh'),
  },
  {
    name: 'e2fsprogs',
    why: 'the SQLite fault test makes an ext4 volume (mkfs.ext4, chattr, e2fsck) the kernel turns read-only',
    isPresent: () => ['mkfs.ext4', 'chattr', 'e2fsck'].every(onPath),
  },
  {
    name: 'ca-certificates',
    why: 'the image carries the CA bundle of the build host',
    isPresent: () => existsSync('/etc/ssl/certs/ca-certificates.crt'),
  },
];

function installAptPackages(): void {
  const missing = APT_PACKAGES.filter((pkg) => !pkg.isPresent());
  if (missing.length === 0) return;
  const names = missing.map((pkg) => pkg.name).join(' ');
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    for (const pkg of missing) say(`missing ${pkg.name}: ${pkg.why}`);
    throw new Unmet(
      `cannot install them here (${onPath('apt-get') ? 'not root' : 'no apt-get'}); install them, then run npm test again:\n` +
        `  sudo apt-get install -y ${names}\n` +
        '(other systems: the same tools from their package manager; PostgreSQL under /usr/lib/postgresql/<version>/bin)',
    );
  }
  for (const pkg of missing) say(`installing ${pkg.name} (apt-get): ${pkg.why}`);
  const since = Date.now();
  const quietly = { stdio: ['ignore', 'ignore', 'inherit'] as ('ignore' | 'inherit')[] };
  try {
    execFileSync('apt-get', ['update', '-qq'], quietly);
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing.map((p) => p.name)], {
      ...quietly,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    throw new Unmet(`apt-get install -y ${names} failed (${(error as Error).message.split('\n')[0]})`);
  }
  const stillMissing = missing.filter((pkg) => !pkg.isPresent());
  if (stillMissing.length > 0) {
    throw new Unmet(
      `apt-get installed ${names}, yet these are still not usable: ${stillMissing.map((p) => `${p.name} (${p.why})`).join('; ')}`,
    );
  }
  say(`apt-get done in ${took(since)}`);
}

function findHelm(): string | undefined {
  try {
    return helmBinary();
  } catch {
    return undefined;
  }
}

/** Runs `command` with its output kept, and rejects with the end of it when it fails. */
function runQuietly(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Unmet(`${command} ${args.join(' ')} failed:\n${output.slice(-4000)}`)),
    );
  });
}

async function buildHelm(): Promise<void> {
  if (findHelm()) return;
  const go = onPath('go') ? 'go' : ['/usr/local/go/bin/go'].find((path) => existsSync(path));
  if (!go) {
    throw new Unmet(
      'missing helm: the chart test lints and renders deploy/helm with it. Install Helm 3 on PATH (or set ' +
        `HELM=/path/to/helm), or Go ≥ 1.24 so that this step can run \`go install ${HELM_MODULE}\``,
    );
  }
  // No registry this project reaches ships a Helm binary (npm, PyPI and Debian have none), so it
  // is compiled from the Go module proxy.
  say(
    `building Helm (go install ${HELM_MODULE}, about 4 minutes): the chart test lints and renders deploy/helm`,
  );
  const since = Date.now();
  mkdirSync(dirname(CACHED_HELM), { recursive: true });
  await runQuietly(go, ['install', HELM_MODULE], { ...process.env, GOBIN: dirname(CACHED_HELM) });
  say(`Helm built in ${took(since)}: ${CACHED_HELM}`);
}

async function installPythonParts(): Promise<void> {
  const since = Date.now();
  const venvs = SDK_VERSIONS.map((version) =>
    ensureVenv(version, () =>
      say(
        `installing mcp-mesh==${version} and mcp-mesh-core==${version} into ${venvDirFor(version)} ` +
          `(pip, pinned by ${relative(REPO_ROOT, constraintsFor(version))}): the end-to-end tests run its agents`,
      ),
    ),
  );
  const meshctl = ensureMeshctl(() =>
    say(
      `installing ${MESHCTL_PACKAGE}@${MESHCTL_VERSION} into ${join(CACHE_DIR, 'meshctl')} (npm): ` +
        'the end-to-end tests list agents with the upstream meshctl, and the benchmark runs its Go registry',
    ),
  );
  const results = await Promise.all([...venvs, meshctl]);
  if (results.some((result) => result.installed)) say(`Python venvs and meshctl ready in ${took(since)}`);
}

function report(error: unknown): void {
  say(
    error instanceof Unmet ? error.message : String(error instanceof Error ? (error.stack ?? error) : error),
  );
  process.exitCode = 1;
}

try {
  installAptPackages();
  // Compiling Helm keeps the CPU busy while pip and npm mostly wait on the network: side by side.
  const results = await Promise.allSettled([buildHelm(), installPythonParts()]);
  for (const result of results) if (result.status === 'rejected') report(result.reason);
  kubernetesValidate(() =>
    say(
      `installing kubernetes-validate==${KUBERNETES_VALIDATE_VERSION} into ${KUBERNETES_VALIDATE_VENV} ` +
        `(pip, pinned by ${relative(REPO_ROOT, KUBERNETES_VALIDATE_CONSTRAINTS)}): ` +
        'the chart test checks the rendered manifests against the Kubernetes schemas it ships',
    ),
  );
  if (!process.exitCode) say(`ready (caches in ${CACHE_DIR})`);
} catch (error) {
  report(error);
}
