// `npm run release`: single executables of the registry and the developer CLI for every target,
// one archive per target with its checksum, and the registry's container image (dist/release/).
//
//   node scripts/release/build.ts [--targets linux-x64,win-x64] [--no-image] [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeArchive } from './archive.ts';
import { type Bundle, bundleCli, bundleRegistry, REPO_ROOT } from './bundle.ts';
import { debianSysroot, sysrootSharedLibraries } from './debian-libraries.ts';
import { buildImage, buildLabelValues, type ImagePlatform, imageLabels } from './image.ts';
import { nodeBinary } from './node-binaries.ts';
import { buildSea } from './sea.ts';
import { findTarget, hostTarget, SEA_NODE_VERSION, TARGETS, type Target } from './targets.ts';

const RELEASE_DIR = join(REPO_ROOT, 'dist', 'release');
const EXECUTABLES = ['mcp-mesh-registry', 'mcp_mesh_dev'] as const;

const log = (message: string) => process.stderr.write(`release: ${message}\n`);

/**
 * The official Linux binaries carry their debug symbols (about 30 MB); stripping them is what
 * brings the image under 45 MB compressed. GNU strip on a Linux host handles its own
 * architecture only, so other targets are shipped as npm ships them.
 */
function strippedCopy(binary: string, target: Target, workDir: string): string {
  if (target !== hostTarget() || target.platform !== 'linux') return binary;
  const copy = join(workDir, `node-${target.id}-stripped`);
  try {
    execFileSync('strip', ['--strip-all', '-o', copy, binary], { stdio: ['ignore', 'ignore', 'inherit'] });
    return copy;
  } catch (error) {
    log(`strip failed (${(error as Error).message}); install binutils for a smaller ${target.id} build`);
    return binary;
  }
}

function buildTarget(
  target: Target,
  bundles: Record<string, Bundle>,
  generator: string,
  version: string,
  releaseDir: string,
) {
  const workDir = join(releaseDir, 'work');
  const outDir = join(releaseDir, target.id);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const executable = strippedCopy(nodeBinary(target, SEA_NODE_VERSION), target, workDir);
  const files = EXECUTABLES.map((name) => {
    const output = join(outDir, `${name}${target.exeSuffix}`);
    log(`${target.id}: ${name}${target.exeSuffix}`);
    buildSea({
      generator,
      executable,
      bundle: bundles[name]!,
      output,
      configPath: join(workDir, `sea-config-${name}-${target.id}.json`),
      useCodeCache: target === hostTarget(),
    });
    return { name: `${name}${target.exeSuffix}`, data: readFileSync(output), mode: 0o755 };
  });
  const root = `mcp-mesh-${version}-${target.id}`;
  const archive = join(releaseDir, `${root}${target.platform === 'win32' ? '.zip' : '.tar.gz'}`);
  return { archive, digest: writeArchive(archive, root, files) };
}

export async function release(
  targetIds: readonly string[],
  withImage: boolean,
  releaseDir: string,
): Promise<void> {
  const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
  const targets = targetIds.map(findTarget);
  const host = hostTarget();
  if (!host) throw new Error(`no Node binary on npm runs on this host (${process.platform}-${process.arch})`);
  const workDir = join(releaseDir, 'work');
  mkdirSync(workDir, { recursive: true });
  // The commit the build starts from (the labels say so, even if the checkout moves meanwhile).
  const labels = imageLabels(buildLabelValues(REPO_ROOT, version));

  log('bundling');
  const bundles = {
    'mcp-mesh-registry': await bundleRegistry(workDir),
    mcp_mesh_dev: await bundleCli(workDir),
  };
  // The blob must be written by the very Node version it is injected into: the host's binary of it.
  const generator = nodeBinary(host, SEA_NODE_VERSION);
  const sums: string[] = [];
  for (const target of targets) {
    const { archive, digest } = buildTarget(target, bundles, generator, version, releaseDir);
    sums.push(`${digest}  ${archive.slice(releaseDir.length + 1)}`);
  }

  if (withImage) {
    if (host.id !== 'linux-x64')
      throw new Error('the container image is built on a linux-x64 host (its glibc goes in)');
    if (!targets.some((target) => target.id === 'linux-x64'))
      throw new Error('the image needs the linux-x64 target');
    // amd64 with the host's glibc; arm64, when its target is built, with Debian's arm64 packages.
    const platforms: ImagePlatform[] = [
      { architecture: 'amd64', registryExecutable: join(releaseDir, 'linux-x64', 'mcp-mesh-registry') },
    ];
    if (targets.some((target) => target.id === 'linux-arm64')) {
      const registryExecutable = join(releaseDir, 'linux-arm64', 'mcp-mesh-registry');
      const libraries = sysrootSharedLibraries(registryExecutable, 'arm64', debianSysroot('arm64'));
      platforms.push({ architecture: 'arm64', registryExecutable, libraries });
    }
    log(`image.tar (${platforms.map((platform) => platform.architecture).join(', ')})`);
    if (!labels['org.opencontainers.image.source'])
      log('no source label: set MCP_MESH_IMAGE_SOURCE to the repository URL (or add an origin remote)');
    const image = buildImage({ platforms, version, labels, output: join(releaseDir, 'image.tar') });
    const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1);
    for (const platform of image.platforms) {
      log(
        `image.tar ${platform.architecture}: ${mb(platform.compressedBytes)} MB compressed, ${mb(platform.uncompressedBytes)} MB uncompressed`,
      );
    }
    writeFileSync(join(releaseDir, 'image.json'), `${JSON.stringify(image, null, 2)}\n`);
  }
  writeFileSync(join(releaseDir, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  rmSync(workDir, { recursive: true, force: true });
  log(`done: ${releaseDir}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string', default: TARGETS.map((target) => target.id).join(',') },
      'no-image': { type: 'boolean', default: false },
      out: { type: 'string', default: RELEASE_DIR },
    },
  });
  const ids = values.targets
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  await release(ids, !values['no-image'], resolve(values.out));
}
