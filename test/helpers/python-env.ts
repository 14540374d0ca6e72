/**
 * Test-environment helpers: a Python venv with the published `mcp-mesh` SDK, and the upstream
 * `meshctl` / Go `mcp-mesh-registry` binaries from the npm package `@mcpmesh/cli-linux-x64`.
 *
 * Both are installed once into the cache folder outside the checkout (scripts/cache-dir.ts) and
 * reused; `npm test` installs them before Vitest starts (scripts/test-prerequisites.ts), and the
 * tests call the same functions, which then only read the stamp. Concurrent callers (several
 * Vitest workers) are serialised with a lock directory created by `mkdir`; completion is marked
 * with a stamp file written last, so a half-done install (killed process) is detected and redone.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR } from '../../scripts/cache-dir.ts';

/** The SDK versions the end-to-end tests run, each with its pinned Rust core of the same version. */
export const SDK_VERSIONS = ['3.8.0', '1.0.0'] as const;
export type SdkVersion = (typeof SDK_VERSIONS)[number];

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const MESHCTL_PACKAGE = '@mcpmesh/cli-linux-x64';
export const MESHCTL_VERSION = '3.7.1';

/** How long an install may take (pip of mcp-mesh and its dependencies, npm of the CLI). */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
/** A lock older than this is taken to belong to a dead process and is broken. */
const STALE_LOCK_MS = INSTALL_TIMEOUT_MS + 60_000;
const LOCK_POLL_MS = 500;

export function venvDirFor(sdkVersion: SdkVersion): string {
  return path.join(CACHE_DIR, `venv-mcp-mesh-${sdkVersion}`);
}

/** Every Python package of the venv, pinned (`pip freeze` of a venv where the tests passed). */
export function constraintsFor(sdkVersion: SdkVersion): string {
  return path.join(REPO_ROOT, 'test', 'e2e', 'constraints', `sdk-${sdkVersion}.txt`);
}

export function toolsDir(): string {
  return path.join(CACHE_DIR, 'meshctl');
}

async function exists(p: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(p, mode);
    return true;
  } catch {
    return false;
  }
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command without a shell, capturing stdout+stderr, killed after `timeoutMs`. */
function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

async function runOrThrow(
  what: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const res = await run(cmd, args, opts);
  if (res.code !== 0) {
    const how = res.signal
      ? `killed by ${res.signal} (timeout ${opts.timeoutMs} ms?)`
      : `exit code ${res.code}`;
    throw new Error(`${what} failed: ${cmd} ${args.join(' ')} → ${how}\n${res.output.slice(-4000)}`);
  }
  return res.output;
}

/** Whether `stamp` exists and says `content` (what was installed, so a change of pins reinstalls). */
async function isStamped(stamp: string, content: string): Promise<boolean> {
  try {
    return (await readFile(stamp, 'utf8')) === content;
  } catch {
    return false;
  }
}

/**
 * Runs `install` under the lock `<target>.lock` unless `<stamp>` already says `content`, then
 * writes the stamp (last, so an interrupted install is redone). Waits (bounded) for another
 * process holding the lock, then re-checks. Returns whether this call installed.
 */
async function installOnce(
  lockDir: string,
  stamp: { path: string; content: string },
  install: () => Promise<void>,
): Promise<boolean> {
  if (await isStamped(stamp.path, stamp.content)) return false;
  await mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + STALE_LOCK_MS + INSTALL_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lockDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Somebody else installs: wait for the stamp or for the lock to go away.
      if (await isStamped(stamp.path, stamp.content)) return false;
      try {
        const st = await stat(lockDir);
        if (Date.now() - st.mtimeMs > STALE_LOCK_MS) {
          await rm(lockDir, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue; // lock vanished between mkdir and stat: retry at once
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for the install lock ${lockDir}`);
      }
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      continue;
    }
    // We hold the lock.
    try {
      if (await isStamped(stamp.path, stamp.content)) return false;
      await writeFile(path.join(lockDir, 'owner'), `${process.pid}\n`);
      await install();
      await writeFile(stamp.path, stamp.content);
      return true;
    } finally {
      await rm(lockDir, { recursive: true, force: true });
    }
  }
}

/** The environment pip and the SDK's python run in: nothing of the caller's Python leaks in. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PYTHONNOUSERSITE: '1',
  };
  delete env.PYTHONPATH;
  delete env.VIRTUAL_ENV;
  return env;
}

/** The versions of `mcp-mesh` and of its Rust core `mcp-mesh-core` that `python` imports. */
export async function sdkVersionsOf(python: string): Promise<{ sdk: string; core: string }> {
  const output = await runOrThrow(
    'reading the SDK versions',
    python,
    ['-c', "import importlib.metadata as m; print(m.version('mcp-mesh')); print(m.version('mcp-mesh-core'))"],
    { env: pythonEnv(), timeoutMs: 60_000 },
  );
  const [sdk = '', core = ''] = output.trim().split('\n').slice(-2);
  return { sdk, core };
}

/**
 * Creates (once) `<cache>/venv-mcp-mesh-<version>` with `python3 -m venv` and installs
 * `mcp-mesh==<version>` and `mcp-mesh-core==<version>` into it, every other package pinned by
 * test/e2e/constraints/sdk-<version>.txt (without the core pin, pip takes the newest core, which
 * is not the SDK under test). A change of the constraints file reinstalls. Returns the venv's
 * python and its directory, and whether this call installed (after calling `onInstall`). Throws
 * when python3 or pip fails.
 */
export async function ensureVenv(
  sdkVersion: SdkVersion,
  onInstall: () => void = () => {},
): Promise<{ python: string; venvDir: string; installed: boolean }> {
  const venvDir = venvDirFor(sdkVersion);
  const python = path.join(venvDir, 'bin', 'python');
  const constraints = constraintsFor(sdkVersion);
  const pins = createHash('sha256')
    .update(await readFile(constraints))
    .digest('hex');
  const stamp = {
    path: path.join(venvDir, '.mcp-mesh-installed'),
    content: `mcp-mesh==${sdkVersion} mcp-mesh-core==${sdkVersion} constraints sha256:${pins}\n`,
  };
  const installed = await installOnce(`${venvDir}.lock`, stamp, async () => {
    onInstall();
    // A directory without the right stamp is an old, failed or interrupted install: start over.
    await rm(venvDir, { recursive: true, force: true });
    const pythonCmd = process.env.MCP_MESH_TEST_PYTHON ?? 'python3';
    await runOrThrow('creating the venv', pythonCmd, ['-m', 'venv', venvDir], { timeoutMs: 120_000 });
    const env = pythonEnv();
    const wanted = [`mcp-mesh==${sdkVersion}`, `mcp-mesh-core==${sdkVersion}`];
    await runOrThrow(
      `pip install ${wanted.join(' ')}`,
      python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-c', constraints, ...wanted],
      { env, timeoutMs: INSTALL_TIMEOUT_MS },
    );
    // Sanity check: the SDK imports, and it is the one asked for.
    await runOrThrow('importing mesh', python, ['-c', 'import mesh'], { env, timeoutMs: 120_000 });
    const versions = await sdkVersionsOf(python);
    if (versions.sdk !== sdkVersion || versions.core !== sdkVersion) {
      throw new Error(
        `the venv ${venvDir} has mcp-mesh ${versions.sdk} and mcp-mesh-core ${versions.core}, expected ${sdkVersion}`,
      );
    }
  });
  return { python, venvDir, installed };
}

/** Finds an executable file named `name` below `dir` (depth-first, bounded depth). */
async function findExecutable(dir: string, name: string, depth = 6): Promise<string | undefined> {
  if (depth < 0) return undefined;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name === name && (await exists(p, constants.X_OK))) return p;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      const found = await findExecutable(path.join(dir, e.name), name, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Installs (once) the npm package `@mcpmesh/cli-linux-x64@3.7.1` into `<cache>/meshctl/` and
 * returns the paths of its `meshctl` and Go `mcp-mesh-registry` binaries, and whether this call
 * installed.
 */
export async function ensureMeshctl(
  onInstall: () => void = () => {},
): Promise<{ meshctl: string; registry: string; installed: boolean }> {
  const dir = toolsDir();
  const pkgDir = path.join(dir, 'node_modules', ...MESHCTL_PACKAGE.split('/'));
  const stamp = {
    path: path.join(dir, '.cli-installed'),
    content: `${MESHCTL_PACKAGE}@${MESHCTL_VERSION}\n`,
  };
  const installed = await installOnce(`${dir}.lock`, stamp, async () => {
    onInstall();
    await mkdir(dir, { recursive: true });
    await runOrThrow(
      `npm install ${MESHCTL_PACKAGE}@${MESHCTL_VERSION}`,
      process.env.MCP_MESH_TEST_NPM ?? 'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${MESHCTL_PACKAGE}@${MESHCTL_VERSION}`,
      ],
      { timeoutMs: INSTALL_TIMEOUT_MS },
    );
    const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version !== MESHCTL_VERSION) {
      throw new Error(`installed ${MESHCTL_PACKAGE} is ${pkg.version}, expected ${MESHCTL_VERSION}`);
    }
  });
  const meshctl = await findExecutable(pkgDir, 'meshctl');
  const registry = await findExecutable(pkgDir, 'mcp-mesh-registry');
  if (!meshctl || !registry) {
    throw new Error(
      `${MESHCTL_PACKAGE}@${MESHCTL_VERSION} in ${pkgDir} lacks an executable meshctl or mcp-mesh-registry ` +
        `(found meshctl=${meshctl ?? 'none'}, registry=${registry ?? 'none'})`,
    );
  }
  return { meshctl, registry, installed };
}
