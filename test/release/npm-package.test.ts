import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBinary } from '../../scripts/release/node-binaries.ts';
import { findTarget } from '../../scripts/release/targets.ts';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { launchRegistry, runToEnd } from './launch.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};
/** The oldest Node the package supports that npm ships for linux-x64 (22.13 itself is not there). */
const OLDEST_NODE = '22.14.0';
/** The Node 24 that `npm ci` installs (the pinned `node` package), whatever runs the tests. */
const PINNED_NODE = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'node', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
/** npm on the pinned Node (as under `npm test`), so its engine checks are those of a supported Node. */
const npmEnv = {
  ...process.env,
  PATH: `${join(REPO_ROOT, 'node_modules', 'node', 'bin')}:${process.env.PATH}`,
};
/** Runs npm; returns its stdout and its stderr (warnings) when it succeeds, throws when it fails. */
function npm(args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: npmEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe('the npm package, installed globally from its tarball', () => {
  const dir = tempDir('mesh-npm-');
  let files: string[] = [];
  let installWarnings = '';
  const nodes: Record<string, string> = {};

  beforeAll(() => {
    // --ignore-scripts: dist/ was built by the `dependencies` script during `npm ci`; rebuilding it here would
    // rewrite files that the other suites are running from.
    const [packed] = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir.path], REPO_ROOT).stdout,
    ) as [{ filename: string; files: { path: string }[] }];
    files = packed.files.map((file) => file.path);
    installWarnings = npm(
      [
        'install',
        '-g',
        '--prefix',
        join(dir.path, 'prefix'),
        '--no-audit',
        '--no-fund',
        join(dir.path, packed.filename),
      ],
      dir.path,
    ).stderr;
    nodes[OLDEST_NODE] = nodeBinary(findTarget('linux-x64'), OLDEST_NODE);
    nodes[PINNED_NODE] = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  }, 300_000);
  afterAll(() => dir[Symbol.dispose]());

  const onNode = (version: string) => ({
    ...process.env,
    // The executables start with `#!/usr/bin/env node`: the user's node is the first on PATH.
    PATH: `${join(nodes[version]!, '..')}:${join(dir.path, 'prefix', 'bin')}:${process.env.PATH}`,
  });

  it('ships the built code and both executables, and no release artifacts', () => {
    expect(Object.keys(pkg.bin).sort()).toEqual(['mcp-mesh-registry', 'mcp_mesh_dev']);
    for (const file of [
      'bin/mcp-mesh-registry',
      'bin/mcp_mesh_dev',
      'dist/registry/main.js',
      'dist/cli/main.js',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => file.startsWith('dist/release') || file.startsWith('test/'))).toEqual([]);
    expect(readdirSync(join(dir.path, 'prefix', 'bin')).sort()).toEqual([
      'mcp-mesh-registry',
      'mcp_mesh_dev',
    ]);
  });

  it('installs without a warning: no install script to approve, every engine met', () => {
    // A `prepare` in the package would be an install script of a tarball install (npm 11 asks
    // for its approval, and it could not build there anyway): dist/ is built by `prepack`, and in
    // a checkout by `dependencies`, which npm runs after `npm ci` in the project only.
    expect(installWarnings).toBe('');
    const installed = JSON.parse(
      readFileSync(join(dir.path, 'prefix', 'lib', 'node_modules', pkg.name, 'package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    expect(Object.keys(installed.scripts)).not.toContain('prepare');
    expect(installed.scripts.prepack).toBe('npm run build');
  });

  it.each([OLDEST_NODE, PINNED_NODE])('runs both executables on Node %s', async (version) => {
    const env = onNode(version);
    const registry = await runToEnd('mcp-mesh-registry', ['--version'], env);
    expect(registry).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^MCP Mesh Registry Service v0\.1\.0\n/),
    });
    const cli = await runToEnd('mcp_mesh_dev', ['--version'], env);
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringContaining('mcp_mesh_dev') });

    using data = tempDir();
    await using server = await launchRegistry('mcp-mesh-registry', ['--host', '127.0.0.1', '--port', '0'], {
      PATH: env.PATH!,
      MCP_MESH_DATABASE_URL: `sqlite://${join(data.path, 'mesh.db')}`,
    });
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy', service: 'mcp-mesh-registry' });
    // The registry really runs on that Node: the process is that binary.
    expect(realpathSync(`/proc/${server.child.pid}/exe`)).toBe(realpathSync(nodes[version]!));
    expect(server.stderr()).not.toContain('ExperimentalWarning');
  });
});
