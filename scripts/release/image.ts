// Builds the registry's container image without a container engine: an OCI image layout in one
// tar (`docker load`, `podman load`, `skopeo copy oci-archive:…`), from scratch, one layer per
// architecture (amd64 and arm64 under one image index), with the OCI labels.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar, sha256, type TarEntry } from './tar.ts';

/** The unprivileged user the registry runs as (no login shell, no home but the data folder). */
export const IMAGE_UID = 10001;
export const DATA_DIR = '/data';
export const REGISTRY_PATH = '/usr/local/bin/mcp-mesh-registry';
export const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** One architecture of the image. */
export interface ImagePlatform {
  /** The OCI (Go) architecture name. */
  architecture: 'amd64' | 'arm64';
  /** The registry executable of that architecture. */
  registryExecutable: string;
  /**
   * The shared libraries it loads (path in the image → file here); the host's, found with `ldd`,
   * when not given (the host's own architecture).
   */
  libraries?: Map<string, string>;
}

export interface ImageInput {
  /** The first is the one `docker load` of Docker's own archive format (manifest.json) takes. */
  platforms: ImagePlatform[];
  version: string;
  /** The image's OCI labels (imageLabels). */
  labels: Record<string, string>;
  output: string;
}

export interface ImagePlatformResult {
  architecture: string;
  /** Compressed (as stored and pulled) and uncompressed (as unpacked) layer size, in bytes. */
  compressedBytes: number;
  uncompressedBytes: number;
  manifestDigest: string;
}

export interface ImageResult extends ImagePlatformResult {
  /** The image index that names every architecture's manifest. */
  indexDigest: string;
  platforms: ImagePlatformResult[];
}

/** What the image says about itself in the org.opencontainers.image.* keys. */
export interface ImageLabelValues {
  version: string;
  /** The commit the image was built from. */
  revision: string;
  /** RFC 3339, the commit's time (SOURCE_DATE_EPOCH when set), so rebuilding a commit changes nothing. */
  created: string;
  /** Where the source is (a repository URL). */
  source: string;
}

export const IMAGE_TITLE = 'mcp-mesh-registry';
export const IMAGE_DESCRIPTION =
  'MCP Mesh registry in TypeScript: agents register, heartbeat and discover each other over HTTP; SQLite or PostgreSQL';
export const IMAGE_LICENSES = 'MIT';

/** The image's labels, in the order the Dockerfile declares them (no source label when none is known). */
export function imageLabels(values: ImageLabelValues): Record<string, string> {
  return {
    'org.opencontainers.image.title': IMAGE_TITLE,
    'org.opencontainers.image.description': IMAGE_DESCRIPTION,
    'org.opencontainers.image.version': values.version,
    'org.opencontainers.image.revision': values.revision,
    'org.opencontainers.image.created': values.created,
    ...(values.source ? { 'org.opencontainers.image.source': values.source } : {}),
    'org.opencontainers.image.licenses': IMAGE_LICENSES,
  };
}

const git = (args: string[], cwd: string) => {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

/**
 * The labels' values for a build of the checkout at `repoRoot`: revision and time of its HEAD
 * commit (SOURCE_DATE_EPOCH overrides the time), source from MCP_MESH_IMAGE_SOURCE, else the
 * `origin` remote as an https URL, else the package's `repository`.
 */
export function buildLabelValues(
  repoRoot: string,
  version: string,
  env: Record<string, string | undefined> = process.env,
): ImageLabelValues {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  const commitTime = git(['log', '-1', '--format=%ct'], repoRoot);
  const seconds = epoch && /^\d+$/.test(epoch) ? Number(epoch) : commitTime ? Number(commitTime) : 0;
  const origin = git(['remote', 'get-url', 'origin'], repoRoot).replace(/^git@([^:]+):/, 'https://$1/');
  let repository = '';
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      repository?: string | { url?: string };
    };
    repository = (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url) ?? '';
  } catch {
    // No package.json: the other sources decide.
  }
  return {
    version,
    revision: git(['rev-parse', 'HEAD'], repoRoot) || 'unknown',
    created: new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z'),
    source: (env.MCP_MESH_IMAGE_SOURCE || origin || repository.replace(/^git\+/, '')).replace(/\.git$/, ''),
  };
}

/**
 * The shared libraries the executable loads, with the paths the dynamic loader looks for, from
 * the glibc of this (linux-x64) host: `ldd` names them, the files behind the symlinks are copied.
 */
export function sharedLibraries(executable: string): Map<string, string> {
  const output = execFileSync('ldd', [executable], { encoding: 'utf8' });
  const libraries = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libraries.set(match[1], realpathSync(match[1]));
  }
  if (![...libraries.keys()].some((path) => /\/ld-linux[^/]*\.so/.test(path))) {
    throw new Error(`ldd found no dynamic loader for ${executable}:\n${output}`);
  }
  return libraries;
}

function parentDirectories(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** The image's one layer, as tar entries: also what the Dockerfile copies into `FROM scratch`. */
export function rootFilesystem(input: Pick<ImagePlatform, 'registryExecutable' | 'libraries'>): TarEntry[] {
  const files = new Map<string, { data: Buffer; mode: number }>();
  files.set(REGISTRY_PATH, { data: readFileSync(input.registryExecutable), mode: 0o755 });
  for (const [path, real] of input.libraries ?? sharedLibraries(input.registryExecutable)) {
    files.set(path, { data: readFileSync(real), mode: 0o755 });
  }
  files.set(CA_BUNDLE, { data: readFileSync(CA_BUNDLE), mode: 0o644 });
  files.set('/etc/passwd', {
    data: Buffer.from(
      `root:x:0:0:root:/root:/sbin/nologin\nmesh:x:${IMAGE_UID}:${IMAGE_UID}:MCP Mesh registry:${DATA_DIR}:/sbin/nologin\n`,
    ),
    mode: 0o644,
  });
  files.set('/etc/group', { data: Buffer.from(`root:x:0:\nmesh:x:${IMAGE_UID}:\n`), mode: 0o644 });
  files.set('/etc/nsswitch.conf', {
    data: Buffer.from('passwd: files\ngroup: files\nhosts: files dns\n'),
    mode: 0o644,
  });

  const special = new Map<string, TarEntry>([
    ['tmp', { path: 'tmp', type: 'directory', mode: 0o1777 }],
    [
      DATA_DIR.slice(1),
      { path: DATA_DIR.slice(1), type: 'directory', mode: 0o750, uid: IMAGE_UID, gid: IMAGE_UID },
    ],
  ]);
  const directories = new Set([...parentDirectories(files.keys()), ...special.keys()]);
  const entries: TarEntry[] = [...directories]
    .sort()
    .map((dir) => special.get(dir) ?? { path: dir, type: 'directory', mode: 0o755 });
  for (const path of [...files.keys()].sort()) {
    const file = files.get(path)!;
    entries.push({ path: path.slice(1), type: 'file', mode: file.mode, data: file.data });
  }
  return entries;
}

/**
 * GNU gzip packs the Node binary about 1.3 MB (3%) smaller than Node's zlib at the same level,
 * which is what keeps the image under its 45 MB budget; zlib is the fallback where it is missing.
 */
function gzipLayer(tar: Buffer): Buffer {
  try {
    return execFileSync('gzip', ['-9', '-n', '-c'], { input: tar, maxBuffer: 1 << 30 });
  } catch {
    return gzipSync(tar, { level: 9 });
  }
}

function blob(data: Buffer): { digest: string; size: number; data: Buffer } {
  return { digest: `sha256:${sha256(data)}`, size: data.length, data };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const SECOND_NS = 1_000_000_000;

/** The image's runtime settings (Docker's names; the Dockerfile declares the same). */
export function runtimeConfig(labels: Record<string, string>) {
  return {
    User: `${IMAGE_UID}:${IMAGE_UID}`,
    ExposedPorts: { '8000/tcp': {} },
    Env: [
      'PATH=/usr/local/bin',
      'HOST=0.0.0.0',
      'PORT=8000',
      `MCP_MESH_DATABASE_URL=sqlite://${DATA_DIR}/mcp_mesh_registry.db`,
      `SSL_CERT_FILE=${CA_BUNDLE}`,
    ],
    Entrypoint: [REGISTRY_PATH],
    WorkingDir: DATA_DIR,
    Volumes: { [DATA_DIR]: {} },
    StopSignal: 'SIGTERM',
    // Not in the OCI image spec: Docker's own field, which Docker reads from the config of an
    // image it loads (Podman runs it only for images in Docker's format).
    Healthcheck: {
      Test: ['CMD', REGISTRY_PATH, '--healthcheck'],
      Interval: 10 * SECOND_NS,
      Timeout: 3 * SECOND_NS,
      StartPeriod: 5 * SECOND_NS,
      Retries: 3,
    },
    Labels: labels,
  };
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** One architecture's layer, config and manifest. */
function platformImage(platform: ImagePlatform, labels: Record<string, string>) {
  const layerTar = createTar(rootFilesystem(platform));
  const layer = blob(gzipLayer(layerTar));
  const created = labels['org.opencontainers.image.created'] ?? '1970-01-01T00:00:00Z';
  const variant = platform.architecture === 'arm64' ? { variant: 'v8' } : {};
  const config = blob(
    json({
      created,
      architecture: platform.architecture,
      ...variant,
      os: 'linux',
      config: runtimeConfig(labels),
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layerTar)}`] },
      history: [{ created, created_by: 'scripts/release/image.ts', comment: 'from scratch' }],
    }),
  );
  const manifest = blob(
    json({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config.digest,
        size: config.size,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size },
      ],
      annotations: labels,
    }),
  );
  return {
    layer,
    config,
    manifest,
    descriptor: {
      mediaType: MANIFEST,
      digest: manifest.digest,
      size: manifest.size,
      platform: { architecture: platform.architecture, os: 'linux', ...variant },
    },
    result: {
      architecture: platform.architecture,
      compressedBytes: layer.size,
      uncompressedBytes: layerTar.length,
      manifestDigest: manifest.digest,
    },
  };
}

export function buildImage(input: ImageInput): ImageResult {
  if (input.platforms.length === 0) throw new Error('an image needs at least one platform');
  const images = input.platforms.map((platform) => platformImage(platform, input.labels));
  // The image index names one manifest per architecture; the layout's index.json names it, so a
  // client takes the manifest of its own architecture (skopeo --override-arch picks another).
  const imageIndex = blob(
    json({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: images.map((image) => image.descriptor),
      annotations: input.labels,
    }),
  );
  const reference = `mcp-mesh-registry:${input.version}`;
  const index = json({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: [
      {
        mediaType: INDEX,
        digest: imageIndex.digest,
        size: imageIndex.size,
        annotations: {
          // skopeo/podman: oci-archive:image.tar:<version>; docker load: the full name.
          'org.opencontainers.image.ref.name': input.version,
          'io.containerd.image.name': `docker.io/library/${reference}`,
        },
      },
    ],
  });
  const blobPath = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;
  // manifest.json is Docker's own archive format, beside the OCI layout, so that engines older
  // than Docker 25 load the same file too: it holds one image, the first platform's.
  const first = images[0]!;
  const dockerManifest = json([
    { Config: blobPath(first.config.digest), RepoTags: [reference], Layers: [blobPath(first.layer.digest)] },
  ]);
  const file = (path: string, data: Buffer): TarEntry => ({ path, type: 'file', mode: 0o644, data });
  const archive = createTar([
    file('oci-layout', json({ imageLayoutVersion: '1.0.0' })),
    file('index.json', index),
    file('manifest.json', dockerManifest),
    { path: 'blobs', type: 'directory', mode: 0o755 },
    { path: 'blobs/sha256', type: 'directory', mode: 0o755 },
    ...[imageIndex, ...images.flatMap((image) => [image.config, image.manifest, image.layer])].map((part) =>
      file(blobPath(part.digest), part.data),
    ),
  ]);
  writeFileSync(input.output, archive);
  return { ...first.result, indexDigest: imageIndex.digest, platforms: images.map((image) => image.result) };
}

/**
 * Writes the layer's files into a folder (as root, owners kept): the Dockerfile's build stage
 * runs `node scripts/release/image.ts --rootfs /rootfs <executable>` and copies it into scratch.
 */
export function writeRootFilesystem(registryExecutable: string, dir: string): void {
  for (const entry of rootFilesystem({ registryExecutable })) {
    const path = join(dir, entry.path);
    if (entry.type === 'directory') mkdirSync(path, { recursive: true });
    else writeFileSync(path, entry.data ?? new Uint8Array());
    chmodSync(path, entry.mode);
    if (process.getuid?.() === 0) chownSync(path, entry.uid ?? 0, entry.gid ?? 0);
  }
}

if (import.meta.main) {
  const [flag, dir, executable] = process.argv.slice(2);
  if (flag !== '--rootfs' || !dir || !executable) {
    process.stderr.write('usage: node scripts/release/image.ts --rootfs DIR REGISTRY_EXECUTABLE\n');
    process.exit(2);
  }
  writeRootFilesystem(executable, dir);
}
