// Builds the linux-x64 and linux-arm64 single executables and the container image (both
// architectures) with the release script (the three other targets are built by `npm run release`
// only: they cannot run here, and each needs a 50 MB download), then runs the linux-x64 ones as a
// user would: no Node on PATH, a temp SQLite file. The arm64 image is checked without running it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULTIARCH } from '../../scripts/release/debian-libraries.ts';
import {
  IMAGE_DESCRIPTION,
  imageLabels,
  runtimeConfig,
  writeRootFilesystem,
} from '../../scripts/release/image.ts';
import { readTarFiles, sha256 } from '../../scripts/release/tar.ts';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { launchRegistry, runToEnd } from './launch.js';

/** Debian's chroot(8); the image test runs as root, as CI does. */
const CHROOT = '/usr/sbin/chroot';
const NODE_24 = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
/** Neither executable may depend on a Node being installed. */
const NO_NODE = { PATH: '/usr/bin:/bin' };
const VERSION_TEXT =
  'MCP Mesh Registry Service v0.1.0\nBuilt on FastMCP and Kubernetes API Server patterns\n';

/** Every path under a folder with its type, mode, owner and size, sorted. */
function listTree(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(prefix, entry.name);
      const stat = statSync(join(root, path));
      const line = `${path} ${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${entry.isDirectory() ? '-' : stat.size}`;
      return entry.isDirectory() ? [line, ...listTree(root, path)] : [line];
    })
    .sort();
}

/** A port nothing listens on now (the CLI takes a fixed port, not 0). */
const out = tempDir('mesh-release-');
const bin = (name: string) => join(out.path, 'linux-x64', name);

/** The source label the build is given (a checkout may have no remote to take it from). */
const SOURCE = 'https://example.org/mcp-mesh-control-plane';
const git = (args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();

/** The commit the build is made from, read before it starts (the build reads it first thing too). */
let builtFrom: { revision: string; created: string };

beforeAll(() => {
  builtFrom = {
    revision: git(['rev-parse', 'HEAD']),
    created: new Date(Number(git(['log', '-1', '--format=%ct'])) * 1000).toISOString().replace('.000Z', 'Z'),
  };
  execFileSync(
    NODE_24,
    [
      join(REPO_ROOT, 'scripts', 'release', 'build.ts'),
      '--targets',
      'linux-x64,linux-arm64',
      '--out',
      out.path,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, MCP_MESH_IMAGE_SOURCE: SOURCE },
    },
  );
}, 900_000);
afterAll(() => out[Symbol.dispose]());

describe('the linux-x64 single executables', () => {
  it('print their versions without any Node installed', async () => {
    expect(await runToEnd(bin('mcp-mesh-registry'), ['--version'], NO_NODE)).toMatchObject({
      code: 0,
      stdout: VERSION_TEXT,
    });
    const cli = await runToEnd(bin('mcp_mesh_dev'), ['--version'], NO_NODE);
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringContaining('mcp_mesh_dev') });
  });

  it('serve /health, the API and the docs assets on a temp SQLite file', async () => {
    using data = tempDir();
    const db = join(data.path, 'mesh.db');
    await using registry = await launchRegistry(
      bin('mcp-mesh-registry'),
      ['--host', '127.0.0.1', '--port', '0'],
      {
        ...NO_NODE,
        MCP_MESH_DATABASE_URL: `sqlite://${db}`,
      },
    );
    const health = await fetch(`${registry.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy', service: 'mcp-mesh-registry' });
    const registered = await fetch(`${registry.baseUrl}/agents/register_with_metadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'sea-agent', metadata: {}, timestamp: '2026-01-01T00:00:00Z' }),
    });
    expect(registered.status).toBe(201);
    // A registered agent is listed once its first heartbeat makes it healthy.
    const heartbeat = await fetch(`${registry.baseUrl}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: 'sea-agent' }),
    });
    expect(heartbeat.status).toBe(200);
    const agents = (await (await fetch(`${registry.baseUrl}/agents`)).json()) as { agents: { id: string }[] };
    expect(agents.agents.map((agent) => agent.id)).toEqual(['sea-agent']);
    // Swagger UI's files come from the executable's embedded assets, not from node_modules.
    const css = await fetch(`${registry.baseUrl}/docs/static/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await css.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${registry.baseUrl}/docs/static/missing.js`)).status).toBe(404);
    expect(existsSync(db)).toBe(true);
    expect(registry.stderr()).not.toMatch(/Warning/);
  });

  it('answer --healthcheck with 0 while a registry listens on $PORT and 1 otherwise', async () => {
    using data = tempDir();
    await using registry = await launchRegistry(
      bin('mcp-mesh-registry'),
      ['--host', '127.0.0.1', '--port', '0'],
      {
        ...NO_NODE,
        MCP_MESH_DATABASE_URL: `sqlite://${join(data.path, 'mesh.db')}`,
      },
    );
    const port = new URL(registry.baseUrl).port;
    expect((await runToEnd(bin('mcp-mesh-registry'), ['--healthcheck'], { PORT: port })).code).toBe(0);
    registry.child.kill('SIGTERM');
    await new Promise((resolve) => registry.child.once('exit', resolve));
    expect((await runToEnd(bin('mcp-mesh-registry'), ['--healthcheck'], { PORT: port })).code).toBe(1);
  });

  it('are packed in an archive whose checksum file verifies', () => {
    const name = `mcp-mesh-${VERSION}-linux-x64.tar.gz`;
    const archive = readFileSync(join(out.path, name));
    expect(readFileSync(join(out.path, `${name}.sha256`), 'utf8')).toBe(`${sha256(archive)}  ${name}\n`);
    expect(readFileSync(join(out.path, 'SHA256SUMS'), 'utf8')).toContain(`${sha256(archive)}  ${name}\n`);
    const files = readTarFiles(gunzipSync(archive));
    expect([...files.keys()].sort()).toEqual([
      `mcp-mesh-${VERSION}-linux-x64/mcp-mesh-registry`,
      `mcp-mesh-${VERSION}-linux-x64/mcp_mesh_dev`,
    ]);
    for (const [path, file] of files) {
      expect(file.mode).toBe(0o755);
      expect(sha256(file.data)).toBe(sha256(readFileSync(bin(path.split('/')[1]!))));
    }
  });
});

describe('the CLI single executable', () => {
  it('starts the registry executable beside it and stops it again', async () => {
    using home = tempDir();
    const port = String(await freePort());
    const env = { ...NO_NODE, HOME: home.path };
    const started = spawnSync(
      bin('mcp_mesh_dev'),
      ['start', '--registry-only', '--background', '--registry-port', port],
      {
        cwd: home.path,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    try {
      expect(started.status, started.stderr + started.stdout).toBe(0);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      // The registry that answers is the single executable beside the CLI.
      const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
      const registries = pids.filter((pid) => {
        try {
          return (
            readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(port) &&
            statSync(`/proc/${pid}/exe`).ino === statSync(bin('mcp-mesh-registry')).ino
          );
        } catch {
          return false;
        }
      });
      expect(registries).toHaveLength(1);
    } finally {
      const stopped = spawnSync(bin('mcp_mesh_dev'), ['stop'], {
        cwd: home.path,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(stopped.status, stopped.stderr + stopped.stdout).toBe(0);
    }
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});

describe('the container image archive', () => {
  const image = () => join(out.path, 'image.tar');
  const skopeo = (args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' });

  it('is an OCI archive that skopeo reads, with the runtime settings of the registry', () => {
    const inspected = JSON.parse(skopeo(['inspect', `oci-archive:${image()}`])) as Record<string, unknown>;
    expect(inspected).toMatchObject({ Architecture: 'amd64', Os: 'linux' });
    const config = JSON.parse(skopeo(['inspect', '--config', '--raw', `oci-archive:${image()}`])) as {
      config: Record<string, unknown>;
    };
    expect(config.config).toMatchObject({
      User: '10001:10001',
      ExposedPorts: { '8000/tcp': {} },
      Volumes: { '/data': {} },
      WorkingDir: '/data',
      Entrypoint: ['/usr/local/bin/mcp-mesh-registry'],
      Healthcheck: { Test: ['CMD', '/usr/local/bin/mcp-mesh-registry', '--healthcheck'] },
    });
    expect(config.config.Env).toEqual(
      expect.arrayContaining([
        'HOST=0.0.0.0',
        'PORT=8000',
        'MCP_MESH_DATABASE_URL=sqlite:///data/mcp_mesh_registry.db',
      ]),
    );
  });

  it('is an image index of amd64 and arm64 with the full OCI labels on every manifest and config', () => {
    const labels = {
      'org.opencontainers.image.title': 'mcp-mesh-registry',
      'org.opencontainers.image.description': IMAGE_DESCRIPTION,
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.revision': builtFrom.revision,
      'org.opencontainers.image.created': builtFrom.created,
      'org.opencontainers.image.source': SOURCE,
      'org.opencontainers.image.licenses': 'MIT',
    };
    const index = JSON.parse(skopeo(['inspect', '--raw', `oci-archive:${image()}`])) as {
      mediaType: string;
      manifests: { platform: Record<string, string> }[];
      annotations: Record<string, string>;
    };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((manifest) => manifest.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    expect(index.annotations).toEqual(labels);
    for (const arch of ['amd64', 'arm64']) {
      const inspected = JSON.parse(
        skopeo(['inspect', '--override-arch', arch, `oci-archive:${image()}`]),
      ) as { Architecture: string; Labels: Record<string, string> };
      expect(inspected.Architecture).toBe(arch);
      expect(inspected.Labels).toEqual(labels);
    }
  });

  it('holds in its arm64 image an aarch64 registry with every library it loads, at the path the loader looks', () => {
    using work = tempDir();
    const layout = `oci:${join(work.path, 'layout')}:registry`;
    skopeo(['copy', '--quiet', '--override-arch', 'arm64', `oci-archive:${image()}`, layout]);
    execFileSync('umoci', [
      'unpack',
      '--image',
      `${join(work.path, 'layout')}:registry`,
      join(work.path, 'b'),
    ]);
    const rootfs = join(work.path, 'b', 'rootfs');
    const registry = join(rootfs, 'usr', 'local', 'bin', 'mcp-mesh-registry');
    const headers = (file: string) =>
      execFileSync('readelf', ['--file-header', '--program-headers', '--dynamic', '--wide', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
    const own = headers(registry);
    expect(own).toMatch(/Machine:\s+AArch64/);
    const interpreter = /\[Requesting program interpreter: ([^\]]+)\]/.exec(own)![1]!;
    expect(headers(join(rootfs, interpreter))).toMatch(/Machine:\s+AArch64/);
    const seen = new Set<string>();
    const queue = [registry];
    while (queue.length > 0) {
      const needed = [...headers(queue.shift()!).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)];
      for (const [, name] of needed) {
        // libc names the loader, which is loaded already as the interpreter (checked above).
        if (seen.has(name!) || name === interpreter.split('/').at(-1)) continue;
        seen.add(name!);
        const path = join(rootfs, 'lib', MULTIARCH.arm64!, name!);
        expect(existsSync(path), `${name} in /lib/${MULTIARCH.arm64}`).toBe(true);
        expect(headers(path)).toMatch(/Machine:\s+AArch64/);
        queue.push(path);
      }
    }
    expect(seen).toContain('libc.so.6');
  });

  it('stays within 45 MB compressed', () => {
    const manifest = JSON.parse(readFileSync(join(out.path, 'image.json'), 'utf8')) as {
      compressedBytes: number;
      platforms: { architecture: string; compressedBytes: number }[];
    };
    // The amd64 image (its Node stripped by the host's strip); the arm64 one keeps its symbols.
    expect(manifest.platforms[0]).toMatchObject({
      architecture: 'amd64',
      compressedBytes: manifest.compressedBytes,
    });
    expect(manifest.compressedBytes).toBeLessThanOrEqual(45_000_000);
    const layers = manifest.platforms.reduce((sum, platform) => sum + platform.compressedBytes, 0);
    expect(statSync(image()).size).toBeLessThan(layers + 100_000);
  });

  it('unpacks with umoci to a root filesystem whose registry answers /health as the non-root user', async () => {
    using work = tempDir();
    skopeo(['copy', '--quiet', `oci-archive:${image()}`, `oci:${join(work.path, 'layout')}:registry`]);
    execFileSync('umoci', [
      'unpack',
      '--image',
      `${join(work.path, 'layout')}:registry`,
      join(work.path, 'bundle'),
    ]);
    const rootfs = join(work.path, 'bundle', 'rootfs');
    const runtime = JSON.parse(readFileSync(join(work.path, 'bundle', 'config.json'), 'utf8')) as {
      process: { user: { uid: number; gid: number }; args: string[]; env: string[] };
    };
    expect(runtime.process.user).toEqual({ uid: 10001, gid: 10001 });
    expect(existsSync(join(rootfs, 'etc', 'ssl', 'certs', 'ca-certificates.crt'))).toBe(true);
    expect(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8')).toMatch(/^mesh:x:10001:10001:/m);
    expect(existsSync(join(rootfs, 'bin', 'sh'))).toBe(false);
    expect(statSync(join(rootfs, 'data')).uid).toBe(10001);

    // The image's own process settings, run in a chroot of its root filesystem: only its files.
    const port = String(await freePort());
    const env = Object.fromEntries(runtime.process.env.map((line) => line.split(/=(.*)/s).slice(0, 2)));
    const user = `--userspec=${runtime.process.user.uid}:${runtime.process.user.gid}`;
    await using registry = await launchRegistry(CHROOT, [user, rootfs, ...runtime.process.args], {
      ...env,
      PORT: port,
    });
    expect(registry.baseUrl).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${registry.baseUrl}/health`);
    expect(health.status).toBe(200);
    const probe = await runToEnd(CHROOT, [user, rootfs, ...runtime.process.args, '--healthcheck'], {
      PORT: port,
    });
    expect(probe.code).toBe(0);
    expect(statSync(join(rootfs, 'data', 'mcp_mesh_registry.db')).uid).toBe(10001);
  });

  it("is the same tree as the root filesystem the Dockerfile's build stage writes", () => {
    using work = tempDir();
    skopeo(['copy', '--quiet', `oci-archive:${image()}`, `oci:${join(work.path, 'layout')}:registry`]);
    execFileSync('umoci', [
      'unpack',
      '--image',
      `${join(work.path, 'layout')}:registry`,
      join(work.path, 'bundle'),
    ]);
    writeRootFilesystem(bin('mcp-mesh-registry'), join(work.path, 'docker'));
    expect(listTree(join(work.path, 'docker'))).toEqual(listTree(join(work.path, 'bundle', 'rootfs')));
  });

  it('has the runtime settings the Dockerfile declares', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
    const instruction = (name: string) =>
      [...dockerfile.matchAll(new RegExp(`^${name} (.*)$`, 'gm'))].map((match) => match[1]!.trim());
    // Labels from build arguments (ARG NAME=default), which `docker build --build-arg` sets.
    const args = Object.fromEntries(
      instruction('ARG')
        .map((arg) => arg.split(/=(.*)/s))
        .map(([name, value]) => [name!, value ?? '']),
    );
    expect(args.VERSION).toBe(VERSION);
    const config = runtimeConfig(
      imageLabels({
        version: `\${VERSION}`,
        revision: `\${REVISION}`,
        created: `\${CREATED}`,
        source: `\${SOURCE}`,
      }),
    );
    expect(instruction('USER')).toEqual([config.User]);
    expect(instruction('EXPOSE').map((port) => `${port}/tcp`)).toEqual(Object.keys(config.ExposedPorts));
    expect(instruction('VOLUME')).toEqual(Object.keys(config.Volumes));
    expect(instruction('WORKDIR').at(-1)).toBe(config.WorkingDir);
    expect(instruction('STOPSIGNAL')).toEqual([config.StopSignal]);
    expect(instruction('ENTRYPOINT').map((value) => JSON.parse(value))).toEqual([config.Entrypoint]);
    expect(instruction('ENV')[0]!.split(/\s+/)).toEqual(config.Env);
    const labels = Object.fromEntries(
      [...instruction('LABEL')[0]!.matchAll(/(\S+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    expect(labels).toEqual(config.Labels);
    const healthcheck = instruction('HEALTHCHECK')[0]!;
    expect(JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4))).toEqual(
      config.Healthcheck.Test.slice(1),
    );
    expect(healthcheck).toContain(`--interval=${config.Healthcheck.Interval / 1e9}s`);
  });
});
