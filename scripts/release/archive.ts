// One archive per target, with a checksum file in `sha256sum -c` format: a .tar.gz for Linux and
// macOS (modes kept, so the executables stay executable) and a .zip for Windows.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { createTar, sha256 } from './tar.ts';

export interface ArchiveFile {
  name: string;
  data: Buffer;
  mode: number;
}

/** A zip archive (deflate, no timestamps worth keeping: 1980-01-01 keeps it reproducible). */
export function createZip(files: readonly ArchiveFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const compressed = deflateRawSync(file.data, { level: 9 });
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | file.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Writes `<path>` holding the files under the folder `root/`, and `<path>.sha256`.
 * Resolves to the archive's SHA-256.
 */
export function writeArchive(path: string, root: string, files: readonly ArchiveFile[]): string {
  const inFolder = files.map((file) => ({ ...file, name: `${root}/${file.name}` }));
  const data = path.endsWith('.zip')
    ? createZip(inFolder)
    : gzipSync(
        createTar([
          { path: root, type: 'directory', mode: 0o755 },
          ...inFolder.map((file) => ({
            path: file.name,
            type: 'file' as const,
            mode: file.mode,
            data: file.data,
          })),
        ]),
        { level: 9 },
      );
  writeFileSync(path, data);
  const digest = sha256(data);
  writeFileSync(`${path}.sha256`, `${digest}  ${basename(path)}\n`);
  return digest;
}
