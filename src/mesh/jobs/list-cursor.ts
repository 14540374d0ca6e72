/**
 * The opaque page cursor of `GET /jobs`, as the upstream registry writes and reads it: unpadded
 * URL-safe base64 of `<submitted_at in ns>:<id>`, pages ordered by (submitted_at, id) descending.
 * A cursor that cannot be read is the caller's mistake (400), with upstream's texts. Pure.
 */
import type { Micros } from '../../shared/clock.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface ListPosition {
  submittedAt: Micros;
  id: string;
}

export function encodeListCursor(position: ListPosition): string {
  const nanos = BigInt(position.submittedAt) * 1000n;
  return Buffer.from(`${nanos}:${position.id}`, 'utf8').toString('base64url');
}

/** Go's `base64.RawURLEncoding.DecodeString`: strict alphabet, no padding, CR and LF skipped. */
function decodeRawUrlBase64(text: string): Buffer | string {
  const digits: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\n' || char === '\r') continue;
    const value = ALPHABET.indexOf(char);
    if (value === -1 || char.charCodeAt(0) > 127)
      return `illegal base64 data at input byte ${byteOffset(text, index)}`;
    digits.push(value);
  }
  if (digits.length % 4 === 1) return `illegal base64 data at input byte ${Buffer.byteLength(text) - 1}`;
  const bytes: number[] = [];
  for (let at = 0; at < digits.length; at += 4) {
    const group = digits.slice(at, at + 4);
    const bits = group.reduce((sum, digit, i) => sum | (digit << (18 - 6 * i)), 0);
    bytes.push((bits >> 16) & 0xff);
    if (group.length > 2) bytes.push((bits >> 8) & 0xff);
    if (group.length > 3) bytes.push(bits & 0xff);
  }
  return Buffer.from(bytes);
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index));
}

/** The position after which the next page starts, or the reason the cursor is refused. */
export function decodeListCursor(cursor: string): ListPosition | { error: string } {
  const raw = decodeRawUrlBase64(cursor);
  if (typeof raw === 'string') return { error: `decode base64: ${raw}` };
  const text = raw.toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1 || colon === text.length - 1) return { error: 'malformed cursor payload' };
  const digits = text.slice(0, colon);
  if (!/^[+-]?\d+$/.test(digits)) {
    return { error: `parse timestamp: strconv.ParseInt: parsing ${JSON.stringify(digits)}: invalid syntax` };
  }
  const nanos = BigInt(digits);
  if (nanos > 9223372036854775807n || nanos < -9223372036854775808n) {
    return {
      error: `parse timestamp: strconv.ParseInt: parsing ${JSON.stringify(digits)}: value out of range`,
    };
  }
  // Rounded down to our resolution (µs); a cursor of ours is always whole µs.
  const micros = nanos >= 0n ? nanos / 1000n : (nanos - 999n) / 1000n;
  return { submittedAt: Number(micros), id: text.slice(colon + 1) };
}
