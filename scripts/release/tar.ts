// A minimal POSIX tar (ustar + pax) writer and reader: enough for release archives, OCI layers
// and reading the npm tarballs of Node binaries, with no dependency on a system `tar`.
import { createHash } from 'node:crypto';

export interface TarEntry {
  /** Path inside the archive, without a leading slash; directories may end with `/`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits, e.g. 0o755. */
  mode: number;
  uid?: number;
  gid?: number;
  /** File contents (type 'file'). */
  data?: Uint8Array;
  /** Link target (type 'symlink'). */
  linkTarget?: string;
}

const BLOCK = 512;
/** A fixed mtime keeps archives reproducible: the same inputs give the same digest. */
const MTIME = 0;

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function header(name: string, typeflag: string, size: number, entry: TarEntry, prefix = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, entry.mode & 0o7777);
  writeOctal(block, 108, 8, entry.uid ?? 0);
  writeOctal(block, 116, 8, entry.gid ?? 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, MTIME);
  block.fill(' ', 148, 156);
  block.write(typeflag, 156, 1, 'ascii');
  if (entry.linkTarget) writeString(block, 157, 100, entry.linkTarget);
  block.write('ustar\0' + '00', 257, 8, 'ascii');
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** A pax extended header record for a path too long for ustar's name field. */
function paxHeader(path: string, entry: TarEntry): Buffer[] {
  const field = ` path=${path}\n`;
  let length = field.length + 1;
  while (`${length}${field}`.length !== length) length = `${length}${field}`.length;
  const body = Buffer.from(`${length}${field}`, 'utf8');
  return [header('PaxHeader', 'x', body.length, { ...entry, mode: 0o644 }), body, padding(body.length)];
}

/** Serialises entries, in the given order, into an uncompressed tar archive. */
export function createTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const path = entry.type === 'directory' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
    const data = entry.type === 'file' ? Buffer.from(entry.data ?? new Uint8Array()) : Buffer.alloc(0);
    const typeflag = entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2';
    if (Buffer.byteLength(path) > 100) parts.push(...paxHeader(path, entry));
    parts.push(header(path.slice(0, 100), typeflag, data.length, entry), data, padding(data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** Reads the regular files of an uncompressed tar archive (ustar, pax and GNU long names). */
export function readTarFiles(archive: Uint8Array): Map<string, { mode: number; data: Buffer }> {
  const buffer = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const files = new Map<string, { mode: number; data: Buffer }>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= buffer.length) {
    const block = buffer.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      block.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const typeflag = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = buffer.subarray(offset + BLOCK, offset + BLOCK + size);
    longName = undefined;
    if (typeflag === 'x') {
      const match = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      longName = match?.[1];
    } else if (typeflag === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
    } else if (typeflag === '0' || typeflag === '7') {
      files.set(name, { mode: Number.parseInt(field(100, 8).trim() || '644', 8), data: Buffer.from(body) });
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
