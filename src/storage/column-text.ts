/**
 * PostgreSQL text cannot hold U+0000, and both drivers write a lone UTF-16 surrogate as U+FFFD,
 * while agent ids and names may contain both (JSON allows `\u0000` and `\ud800`).
 * The id, name and namespace columns therefore store such code units as U+FFFF plus four hex
 * digits, and U+FFFF itself the same way, so the mapping is reversible and other text is stored
 * unchanged. The JSON document needs nothing: JSON.stringify already escapes them.
 */
const NEEDS_ESCAPE = /\u0000|\uFFFF|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPED = /\uFFFF([0-9a-f]{4})/g;

export function toColumnText(value: string): string {
  return value.replace(NEEDS_ESCAPE, (unit) => `\uFFFF${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function fromColumnText(value: string): string {
  return value.includes('\uFFFF')
    ? value.replace(ESCAPED, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : value;
}
