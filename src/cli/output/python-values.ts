/**
 * Python value rendering (cli.md Appendix A): the reference CLI prints Python `str()`/`repr()` of
 * its values in status details, `config show` and error texts, and `json.dumps(indent=2)` for
 * `--json`. JavaScript has one number type, so values that Python holds as floats are wrapped.
 */

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

/** `repr(float)`: shortest round-trip digits, positional for exponents −4…15 (Appendix A.3). */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    let text: string;
    if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    else if (digits.length > exponent + 1)
      text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    else text = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
    return sign + text;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/**
 * Python's `f"{value:.{places}f}"`: the exact binary value rounded half to even (JavaScript's
 * `toFixed` rounds exact ties up, e.g. 0.25 → "0.3" where Python gives "0.2"; Appendix A.4).
 */
export function formatFixed(value: number, places = 1): string {
  if (!Number.isFinite(value)) return floatRepr(value);
  const negative = value < 0 || Object.is(value, -0);
  const [numerator, denominatorPower] = exactRational(Math.abs(value));
  const scale = 10n ** BigInt(places);
  const denominator = 1n << denominatorPower;
  const scaled = numerator * scale;
  let quotient = scaled / denominator;
  const twiceRemainder = (scaled % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n))
    quotient += 1n;
  const text = quotient.toString().padStart(places + 1, '0');
  const body = places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
  return (negative ? '-' : '') + body;
}

/** A finite non-negative double as numerator / 2^power, exactly. */
function exactRational(value: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponentBits !== 0) mantissa |= 1n << 52n;
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  return exponent >= 0 ? [mantissa << BigInt(exponent), 0n] : [mantissa, BigInt(-exponent)];
}

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
