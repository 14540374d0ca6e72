// The registry as a Bun single executable (`bun build --compile`), built beside the Node one to
// be measured side by side (docs/benchmarks.md, "Memory (issue 19)"). Bun cross-compiles: the
// target's Bun binary comes from npm like the host's (bun-binaries.ts), passed as the executable
// to embed into, so nothing is downloaded by Bun itself.
//
//   node scripts/release/bun-executable.ts [--targets linux-x64,…] [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bunBinary } from './bun-binaries.ts';
import { bundleRegistryForBun, REPO_ROOT } from './bundle.ts';
import { findTarget, TARGETS, type Target } from './targets.ts';

/** Bun's npm package and `--target` name for each of our targets. */
const BUN_TARGETS: Record<Target['id'], { npmPackage: string; target: string }> = {
  'linux-x64': { npmPackage: '@oven/bun-linux-x64', target: 'bun-linux-x64' },
  'linux-arm64': { npmPackage: '@oven/bun-linux-aarch64', target: 'bun-linux-arm64' },
  'darwin-x64': { npmPackage: '@oven/bun-darwin-x64', target: 'bun-darwin-x64' },
  'darwin-arm64': { npmPackage: '@oven/bun-darwin-aarch64', target: 'bun-darwin-arm64' },
  'win-x64': { npmPackage: '@oven/bun-windows-x64', target: 'bun-windows-x64' },
};

const log = (message: string) => process.stderr.write(`bun-executable: ${message}\n`);

/**
 * Builds `<outDir>/<target>/mcp-mesh-registry[.exe]` for each target. The executable reads no
 * `.env`, `bunfig.toml`, `tsconfig.json` or `package.json` from its working directory: the
 * registry's configuration is its environment and flags, as under Node.
 */
export async function buildBunRegistry(targets: readonly Target[], outDir: string): Promise<string[]> {
  const workDir = join(outDir, 'work');
  mkdirSync(workDir, { recursive: true });
  const bundle = await bundleRegistryForBun(workDir);
  const bun = bunBinary();
  const outputs: string[] = [];
  for (const target of targets) {
    const { npmPackage, target: bunTarget } = BUN_TARGETS[target.id];
    const output = join(outDir, target.id, `mcp-mesh-registry${target.exeSuffix}`);
    mkdirSync(join(outDir, target.id), { recursive: true });
    log(`${target.id}: ${output}`);
    execFileSync(
      bun,
      [
        'build',
        '--compile',
        `--target=${bunTarget}`,
        `--compile-executable-path=${bunBinary(npmPackage)}`,
        '--no-compile-autoload-dotenv',
        '--no-compile-autoload-bunfig',
        bundle,
        '--outfile',
        output,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    outputs.push(output);
  }
  rmSync(workDir, { recursive: true, force: true });
  return outputs;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: TARGETS.map((target) => target.id).join(',') },
      out: { type: 'string', default: join(REPO_ROOT, 'dist', 'release', 'bun') },
    },
  });
  const targets = values.targets
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .map(findTarget);
  await buildBunRegistry(targets, resolve(values.out));
}
