// The glibc and C++ runtime libraries of another architecture, for the image of that architecture:
// Debian's own packages (libc6, libstdc++6, libgcc-s1, libatomic1) of the host's Debian release, fetched with
// apt-get through a private configuration (the host's sources, the other architecture, lists and
// downloads in the cache folder: the host's apt state is not touched), unpacked with dpkg-deb. The
// executable's needs are read from its ELF headers with readelf, which reads any architecture.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../cache-dir.ts';

/** Debian's architecture name → the GNU triplet of its multiarch library folder. */
export const MULTIARCH: Record<string, string> = {
  amd64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
};
const PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1', 'libatomic1'];

/**
 * A folder holding the packages' files for `architecture` (usr/lib/<triplet>/…), fetched once into
 * `<cache>/debian-<architecture>/` and kept (a stamp names the packages).
 */
export function debianSysroot(architecture: string): string {
  const dir = join(CACHE_DIR, `debian-${architecture}`);
  const sysroot = join(dir, 'root');
  const stamp = join(dir, `.unpacked-${PACKAGES.join('-')}`);
  if (existsSync(stamp)) return sysroot;
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['lists/partial', 'cache/archives/partial', 'debs'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'status'), '');
  const config = join(dir, 'apt.conf');
  writeFileSync(
    config,
    [
      `APT::Architecture "${architecture}";`,
      `APT::Architectures { "${architecture}"; };`,
      `Dir::State::Lists "${join(dir, 'lists')}";`,
      `Dir::State::status "${join(dir, 'status')}";`,
      `Dir::Cache "${join(dir, 'cache')}";`,
      // Downloads as the invoking user: apt's sandbox user cannot write into the cache folder.
      'APT::Sandbox::User "root";',
      'Debug::NoLocking "true";',
      '',
    ].join('\n'),
  );
  const apt = (args: string[], cwd?: string) =>
    execFileSync('apt-get', ['-qq', ...args], {
      cwd,
      env: { ...process.env, APT_CONFIG: config },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  process.stderr.write(
    `fetching ${PACKAGES.map((name) => `${name}:${architecture}`).join(' ')} with apt-get\n`,
  );
  apt(['update']);
  apt(['download', ...PACKAGES.map((name) => `${name}:${architecture}`)], join(dir, 'debs'));
  for (const deb of readdirSync(join(dir, 'debs'))) {
    execFileSync('dpkg-deb', ['-x', join(dir, 'debs', deb), sysroot]);
  }
  rmSync(join(dir, 'lists'), { recursive: true, force: true });
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  writeFileSync(stamp, '');
  return sysroot;
}

/** The ELF's program interpreter and the libraries it names (DT_NEEDED), read with readelf. */
function elfNeeds(path: string): { interpreter?: string; needed: string[] } {
  const headers = execFileSync('readelf', ['--program-headers', '--dynamic', '--wide', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const interpreter = /\[Requesting program interpreter: ([^\]]+)\]/.exec(headers)?.[1];
  const needed = [...headers.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
    (match) => match[1]!,
  );
  return { ...(interpreter ? { interpreter } : {}), needed };
}

/**
 * The shared libraries `executable` (of `architecture`) loads, with the paths the image holds them
 * at (the loader at the path the executable names, the others in /lib/<triplet>/, where glibc's
 * loader looks), each mapped to the file in the sysroot; followed through the libraries' own needs.
 */
export function sysrootSharedLibraries(
  executable: string,
  architecture: string,
  sysroot: string,
): Map<string, string> {
  const triplet = MULTIARCH[architecture];
  if (!triplet) throw new Error(`no multiarch folder known for ${architecture}`);
  const folders = [`usr/lib/${triplet}`, `lib/${triplet}`, 'usr/lib', 'lib'].map((folder) =>
    join(sysroot, folder),
  );
  const find = (name: string) => {
    for (const folder of folders) {
      const path = join(folder, name);
      if (existsSync(path)) return realpathSync(path);
    }
    throw new Error(`${name} (needed by ${executable}) is not in ${sysroot}`);
  };
  const libraries = new Map<string, string>();
  const { interpreter, needed } = elfNeeds(executable);
  if (!interpreter) throw new Error(`${executable} names no program interpreter`);
  const loader = interpreter.split('/').at(-1)!;
  libraries.set(interpreter, find(loader));
  const queue = [...needed];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const imagePath = `/lib/${triplet}/${name}`;
    if (name === loader || libraries.has(imagePath)) continue;
    const file = find(name);
    libraries.set(imagePath, file);
    queue.push(...elfNeeds(file).needed);
  }
  return libraries;
}
