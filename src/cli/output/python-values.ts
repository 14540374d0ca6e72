/**
 * Python value rendering (cli.md Appendix A): the reference CLI prints Python `str()`/`repr()` of
 * its values in status details, `config show` and error texts, and `json.dumps(indent=2)` for
 * `--json`. JavaScript has one number type, so values that Python holds as floats are wrapped.
 */

import { floatRepr } from '../../shared/python/python-float.js';

/** A number that Python holds as a float (uptimes): rendered `14.0`, never `14`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple, rendered `('a', 'b')`. */
export class PyTuple {
  readonly items: readonly PyValue[];
  constructor(...items: PyValue[]) {
    this.items = items;
  }
}

export type PyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | PyFloat
  | PyTuple
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/** `repr(str)` (Appendix A.2). */
export function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === quote) out += `\\${quote}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (isPrintable(char, code)) out += char;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

function isPrintable(char: string, code: number): boolean {
  if (code === 0x20) return true;
  return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u.test(char);
}

/** `repr()` of any value. */
export function pyRepr(value: PyValue): string {
  if (typeof value === 'string') return stringRepr(value);
  return pyStr(value);
}

/** `str()` of any value (Appendix A.1). */
export function pyStr(value: PyValue): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof PyTuple) {
    const inner = value.items.map(pyRepr).join(', ');
    return value.items.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, PyValue>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${stringRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

/** A JSON string as Python's `json.dumps` writes it: every non-ASCII character as `\uXXXX`. */
function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i]!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * `json.dumps(value, indent=2)` (Appendix A.5), with `sort_keys` for the config file. Undefined
 * object members are left out, as a Python dict would not have them.
 */
export function pyJson(value: PyValue, options: { sortKeys?: boolean } = {}, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : jsonFloat(value);
  if (value instanceof PyFloat) return jsonFloat(value.value);
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  const items = value instanceof PyTuple ? value.items : value;
  if (Array.isArray(items)) {
    if (items.length === 0) return '[]';
    return `[\n${items.map((item) => pad + pyJson(item, options, depth + 1)).join(',\n')}\n${close}]`;
  }
  let entries = Object.entries(value as Record<string, PyValue>).filter(([, v]) => v !== undefined);
  if (options.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  const body = entries.map(([k, v]) => `${pad}${jsonString(k)}: ${pyJson(v, options, depth + 1)}`);
  return `{\n${body.join(',\n')}\n${close}}`;
}

function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return floatRepr(value);
}

/** Python `str.title()`: first cased letter of each letter run upper-cased, the rest lower-cased. */
export function titleCase(text: string): string {
  let out = '';
  let previousCased = false;
  for (const char of text) {
    const isCased = char.toLowerCase() !== char.toUpperCase();
    out += isCased ? (previousCased ? char.toLowerCase() : char.toUpperCase()) : char;
    previousCased = isCased;
  }
  return out;
}
