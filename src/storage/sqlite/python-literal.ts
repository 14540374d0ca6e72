/**
 * Reads the Python literal text that the original registry stored in some SQLite columns (spec §9.2,
 * §9.5): `str()` of dicts and lists such as `{'env': 'prod'}` or `['auth_service']`. The original read
 * them back with `eval()`, which runs any code stored in the file (§13.6). This module is a parser for
 * the literal subset only and never evaluates anything.
 *
 * Accepted, as `ast.literal_eval` accepts it:
 * - strings in single, double or triple quotes, with every Python escape (`\n \t \\ \' \" \a \b \f \v
 *   \r \xhh \uhhhh \Uhhhhhhhh`, octal `\ooo`, backslash-newline continuation; unknown escapes such as
 *   `\d` keep their backslash, as in Python); `u` and `r` prefixes; adjacent literals are
 *   concatenated (`'a' "b"` is `'ab'`);
 * - `True`, `False`, `None` as `true`, `false`, `null`;
 * - ints (decimal with `_` separators, `0x`, `0o`, `0b`) and floats (`1.5`, `.5`, `5.`, `1e5`), with
 *   at most one leading `+` or `-`;
 * - dicts, lists, and tuples (`()`, `(a,)`, `(a, b)`) which become arrays; `(a)` is just `a`;
 *   trailing commas, any whitespace, `#` comments and backslash line joins between tokens.
 *
 * Slightly more lenient than Python, harmlessly: newlines are whitespace outside brackets too
 * (`'a'\n'b'` is `'ab'`) and a raw NUL character may appear inside a string. Slightly stricter:
 * a sign must be followed by the number itself (`-(1)` is rejected).
 *
 * Rejected with a {@link PythonLiteralError}: any name other than `True`/`False`/`None` (so every
 * call, attribute access or operator expression, e.g. `__import__('os').system('x')`, `set()`,
 * `inf`, `nan`), set literals, bytes and f-/t-strings, `\N{...}` escapes, complex numbers, nesting
 * deeper than {@link MAX_NESTING_DEPTH}, ints of more than 4300 digits (CPython's default limit) or
 * beyond the float range.
 *
 * Conversions and their losses:
 * - Numbers become JS `number`s. Ints beyond ±2^53 lose precision (rounded to the nearest double);
 *   `-0` as an int is `0`, `-0.0` stays `-0`; a float that overflows, like `1e400`, is `Infinity`
 *   exactly as Python's float is `inf`.
 * - Dicts become ordinary objects (prototype `Object.prototype`) built with `Object.fromEntries`, so
 *   a key such as `__proto__` is an own property and never changes the prototype. Keys may be
 *   strings, numbers, booleans or `None`; the others are converted as JSON would (`1` → `"1"`,
 *   `True` → `"true"`, `None` → `"null"`; a float key `1.0` becomes `"1"`). A repeated key keeps its
 *   first position and its last value, as in Python; JS still lists integer-like keys first.
 *
 * The parser is iterative (an explicit stack), so hostile input cannot overflow the call stack.
 * Error offsets are UTF-16 code unit indices into the input text.
 */

/** Maximum number of open brackets; deeper input is rejected (CPython's own parser allows 200). */
export const MAX_NESTING_DEPTH = 1000;

/** CPython's default `sys.get_int_max_str_digits()`. */
const MAX_INT_DIGITS = 4300;

export class PythonLiteralError extends Error {
  /** Where in the text (UTF-16 code units from 0) the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'PythonLiteralError';
    this.offset = offset;
  }
}

interface SequenceFrame {
  kind: 'list' | 'tuple';
  start: number;
  items: unknown[];
  sawComma: boolean;
}

interface DictFrame {
  kind: 'dict';
  start: number;
  entries: Map<string, unknown>;
  /** The key whose value is being parsed. */
  key: string;
}

type Frame = SequenceFrame | DictFrame;

const IDENTIFIER = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const DIGITS = /[0-9](?:_?[0-9])*/y;
const RADIX_INT = /0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/y;
const IDENTIFIER_CHAR = /[\p{ID_Continue}]/u;
const HEX = /^[0-9a-fA-F]+$/;
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf', 't', 'tr', 'rt']);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function describe(char: string | undefined): string {
  return char === undefined ? 'end of input' : JSON.stringify(char);
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

class Parser {
  private readonly text: string;
  private pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  parse(): unknown {
    const stack: Frame[] = [];
    for (;;) {
      // A value starts here: either a container opens or a scalar is read whole.
      this.skipTrivia();
      const start = this.pos;
      const open = this.text[start];
      let value: unknown;
      if (open === '[' || open === '(' || open === '{') {
        if (stack.length >= MAX_NESTING_DEPTH) {
          throw new PythonLiteralError(`nesting is deeper than ${MAX_NESTING_DEPTH} levels`, start);
        }
        this.pos += 1;
        this.skipTrivia();
        const next = this.text[this.pos];
        if (open === '{') {
          if (next !== '}') {
            const frame: DictFrame = { kind: 'dict', start, entries: new Map(), key: '' };
            frame.key = this.parseKey(frame);
            stack.push(frame);
            continue;
          }
          value = {};
        } else {
          if (next !== (open === '[' ? ']' : ')')) {
            stack.push({ kind: open === '[' ? 'list' : 'tuple', start, items: [], sawComma: false });
            continue;
          }
          value = [];
        }
        this.pos += 1;
      } else {
        const frame = stack.at(-1);
        if (open === undefined && frame !== undefined) throw this.expected('a value', frame);
        value = this.parseScalar();
      }

      // A value is complete: hand it to the innermost container, closing every container that ends.
      for (;;) {
        this.skipTrivia();
        const frame = stack.at(-1);
        if (frame === undefined) {
          if (this.pos < this.text.length) {
            throw new PythonLiteralError(
              `unexpected ${describe(this.text[this.pos])} after the value; only a single literal is allowed`,
              this.pos,
            );
          }
          return value;
        }
        const char = this.text[this.pos];
        if (frame.kind === 'dict') {
          frame.entries.set(frame.key, value);
          if (char === ',') {
            this.pos += 1;
            this.skipTrivia();
            if (this.text[this.pos] !== '}') {
              frame.key = this.parseKey(frame);
              break;
            }
          } else if (char !== '}') {
            throw this.expected("',' or '}'", frame);
          }
          this.pos += 1;
          stack.pop();
          value = Object.fromEntries(frame.entries);
          continue;
        }
        const close = frame.kind === 'list' ? ']' : ')';
        frame.items.push(value);
        if (char === ',') {
          this.pos += 1;
          frame.sawComma = true;
          this.skipTrivia();
          if (this.text[this.pos] !== close) break;
        } else if (char !== close) {
          throw this.expected(`',' or '${close}'`, frame);
        }
        this.pos += 1;
        stack.pop();
        // `(x)` is a parenthesised value, not a tuple.
        value = frame.kind === 'tuple' && !frame.sawComma ? frame.items[0] : frame.items;
      }
    }
  }

  private expected(what: string, frame: Frame): PythonLiteralError {
    const char = this.text[this.pos];
    if (char === undefined) {
      const open = frame.kind === 'list' ? '[' : frame.kind === 'tuple' ? '(' : '{';
      return new PythonLiteralError(
        `unexpected end of input: '${open}' opened at offset ${frame.start} is not closed`,
        this.pos,
      );
    }
    return new PythonLiteralError(`expected ${what} but found ${describe(char)}`, this.pos);
  }

  /** Reads `key :` inside a dict and returns the key as a string. */
  private parseKey(frame: DictFrame): string {
    this.skipTrivia();
    const start = this.pos;
    const char = this.text[start];
    if (char === '[' || char === '(' || char === '{') {
      throw new PythonLiteralError('dict keys must be strings, numbers, booleans or None', start);
    }
    if (char === undefined) throw this.expected('a dict key', frame);
    const key = this.parseScalar();
    this.skipTrivia();
    const next = this.text[this.pos];
    if (next !== ':') {
      if (frame.entries.size === 0 && (next === ',' || next === '}')) {
        throw new PythonLiteralError('set literals are not supported', frame.start);
      }
      throw this.expected("':'", frame);
    }
    this.pos += 1;
    return typeof key === 'string' ? key : String(key);
  }

  /** Skips whitespace, `#` comments and backslash line joins. */
  private skipTrivia(): void {
    const text = this.text;
    for (;;) {
      const char = text[this.pos];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f') {
        this.pos += 1;
      } else if (char === '#') {
        while (this.pos < text.length && text[this.pos] !== '\n' && text[this.pos] !== '\r') this.pos += 1;
      } else if (char === '\\' && (text[this.pos + 1] === '\n' || text[this.pos + 1] === '\r')) {
        this.pos += text[this.pos + 1] === '\r' && text[this.pos + 2] === '\n' ? 3 : 2;
      } else {
        return;
      }
    }
  }

  private parseScalar(): unknown {
    const text = this.text;
    const start = this.pos;
    const char = text[start];
    if (char === undefined) throw new PythonLiteralError('unexpected end of input, expected a value', start);
    if (char === "'" || char === '"') return this.parseStrings();
    if (isDigit(char) || (char === '.' && isDigit(text[start + 1]))) return this.parseNumber()[0];
    if (char === '+' || char === '-') {
      this.pos += 1;
      this.skipTrivia();
      const next = text[this.pos];
      if (!isDigit(next) && !(next === '.' && isDigit(text[this.pos + 1]))) {
        throw new PythonLiteralError(`'${char}' must be followed by a number literal`, start);
      }
      const [value, isInt] = this.parseNumber();
      if (char === '+') return value;
      return isInt && value === 0 ? 0 : -value;
    }
    IDENTIFIER.lastIndex = start;
    const match = IDENTIFIER.exec(text);
    if (match !== null) {
      const name = match[0];
      const after = text[start + name.length];
      if ((after === "'" || after === '"') && STRING_PREFIXES.has(name.toLowerCase())) {
        return this.parseStrings();
      }
      this.pos = start + name.length;
      if (name === 'True') return true;
      if (name === 'False') return false;
      if (name === 'None') return null;
      this.skipTrivia();
      if (text[this.pos] === '(') {
        throw new PythonLiteralError(`calls are not allowed: '${name}(...)' is code, not a literal`, start);
      }
      throw new PythonLiteralError(
        `'${name}' is not a literal; only strings, numbers, True, False, None, dicts, lists and tuples are accepted`,
        start,
      );
    }
    throw new PythonLiteralError(`unexpected ${describe(char)}, expected a value`, start);
  }

  /** Reads one string literal and every literal adjacent to it, concatenated. */
  private parseStrings(): string {
    let result = this.parseString();
    for (;;) {
      const save = this.pos;
      this.skipTrivia();
      if (!this.atString()) {
        this.pos = save;
        return result;
      }
      result += this.parseString();
    }
  }

  private atString(): boolean {
    const char = this.text[this.pos];
    if (char === "'" || char === '"') return true;
    IDENTIFIER.lastIndex = this.pos;
    const match = IDENTIFIER.exec(this.text);
    if (match === null) return false;
    const after = this.text[this.pos + match[0].length];
    return (after === "'" || after === '"') && STRING_PREFIXES.has(match[0].toLowerCase());
  }

  /** Reads one string literal, with its prefix, at the current position. */
  private parseString(): string {
    const text = this.text;
    const start = this.pos;
    let quoteAt = start;
    while (text[quoteAt] !== "'" && text[quoteAt] !== '"') quoteAt += 1;
    const prefix = text.slice(start, quoteAt).toLowerCase();
    if (prefix.includes('b')) throw new PythonLiteralError('bytes literals are not supported', start);
    if (prefix.includes('f') || prefix.includes('t')) {
      throw new PythonLiteralError('f-strings and t-strings are code, not literals', start);
    }
    const raw = prefix.includes('r');
    const quote = text[quoteAt]!;
    const triple = text.startsWith(quote.repeat(3), quoteAt);
    const closing = triple ? quote.repeat(3) : quote;
    this.pos = quoteAt + closing.length;

    let out = '';
    let runStart = this.pos;
    for (;;) {
      const char = text[this.pos];
      if (char === undefined) throw new PythonLiteralError('unterminated string literal', start);
      if (char === quote && (!triple || text.startsWith(closing, this.pos))) {
        out += text.slice(runStart, this.pos);
        this.pos += closing.length;
        return out;
      }
      if (char === '\n' || char === '\r') {
        if (!triple) throw new PythonLiteralError('unterminated string literal (line break inside)', start);
        // Python reads source text with universal newlines.
        out += `${text.slice(runStart, this.pos)}\n`;
        this.pos += char === '\r' && text[this.pos + 1] === '\n' ? 2 : 1;
        runStart = this.pos;
        continue;
      }
      if (char !== '\\') {
        this.pos += 1;
        continue;
      }
      out += text.slice(runStart, this.pos);
      out += raw ? this.readRawEscape(start) : this.readEscape(start);
      runStart = this.pos;
    }
  }

  /** In a raw string a backslash only keeps the next character from ending the string. */
  private readRawEscape(stringStart: number): string {
    const next = this.text[this.pos + 1];
    if (next === undefined) throw new PythonLiteralError('unterminated string literal', stringStart);
    if (next === '\r') {
      this.pos += this.text[this.pos + 2] === '\n' ? 3 : 2;
      return '\\\n';
    }
    this.pos += 2;
    return `\\${next}`;
  }

  private readEscape(stringStart: number): string {
    const text = this.text;
    const at = this.pos;
    const next = text[at + 1];
    if (next === undefined) throw new PythonLiteralError('unterminated string literal', stringStart);
    if (next === '\n' || next === '\r') {
      this.pos += next === '\r' && text[at + 2] === '\n' ? 3 : 2;
      return '';
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (next >= '0' && next <= '7') {
      let end = at + 2;
      while (end < at + 4 && text[end]! >= '0' && text[end]! <= '7') end += 1;
      this.pos = end;
      return String.fromCharCode(Number.parseInt(text.slice(at + 1, end), 8));
    }
    if (next === 'x' || next === 'u' || next === 'U') {
      const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = text.slice(at + 2, at + 2 + length);
      if (hex.length !== length || !HEX.test(hex)) {
        throw new PythonLiteralError(`truncated \\${next}${'X'.repeat(length)} escape`, at);
      }
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw new PythonLiteralError(`illegal Unicode character in \\U escape`, at);
      this.pos = at + 2 + length;
      return String.fromCodePoint(code);
    }
    if (next === 'N') {
      throw new PythonLiteralError('\\N{...} named Unicode escapes are not supported', at);
    }
    // Python keeps an unknown escape as it is (with a warning); the next character is read normally.
    this.pos += 1;
    return '\\';
  }

  /** Reads an unsigned int or float; returns the value and whether it was an int. */
  private parseNumber(): [number, boolean] {
    const text = this.text;
    const start = this.pos;
    if (text[start] === '0' && /[xXoObB]/.test(text[start + 1] ?? '')) {
      RADIX_INT.lastIndex = start;
      const match = RADIX_INT.exec(text);
      if (match === null) throw new PythonLiteralError('invalid number literal', start);
      this.pos = start + match[0].length;
      this.checkNumberEnd(start);
      return [this.toInt(match[0].replaceAll('_', ''), start), true];
    }
    let isInt = true;
    this.matchDigits();
    if (text[this.pos] === '.') {
      isInt = false;
      this.pos += 1;
      this.matchDigits();
    }
    if (text[this.pos] === 'e' || text[this.pos] === 'E') {
      isInt = false;
      const exponentAt = this.pos;
      this.pos += 1;
      if (text[this.pos] === '+' || text[this.pos] === '-') this.pos += 1;
      if (!this.matchDigits()) throw new PythonLiteralError('invalid exponent in number literal', exponentAt);
    }
    this.checkNumberEnd(start);
    const digits = text.slice(start, this.pos).replaceAll('_', '');
    if (!isInt) return [Number(digits), false];
    if (/^0+[1-9]/.test(digits)) {
      throw new PythonLiteralError('leading zeros in decimal integer literals are not permitted', start);
    }
    return [this.toInt(digits, start), true];
  }

  private matchDigits(): boolean {
    DIGITS.lastIndex = this.pos;
    const match = DIGITS.exec(this.text);
    if (match === null) return false;
    this.pos += match[0].length;
    return true;
  }

  private checkNumberEnd(start: number): void {
    const char = this.text[this.pos];
    if (char === 'j' || char === 'J') {
      throw new PythonLiteralError('complex numbers are not supported', start);
    }
    if (char !== undefined && IDENTIFIER_CHAR.test(char)) {
      throw new PythonLiteralError(`invalid number literal: unexpected ${describe(char)}`, this.pos);
    }
  }

  private toInt(digits: string, start: number): number {
    const significant = digits.replace(/^0[xob]/i, '').replace(/^0+(?=.)/, '');
    if (significant.length > MAX_INT_DIGITS) {
      throw new PythonLiteralError(`integer literal has more than ${MAX_INT_DIGITS} digits`, start);
    }
    const value = Number(BigInt(digits));
    if (!Number.isFinite(value)) throw new PythonLiteralError('integer literal is too large', start);
    return value;
  }
}

/**
 * Parses Python literal text (what `repr`/`str` of JSON-like data produces) into plain JS values,
 * without evaluating anything. Throws {@link PythonLiteralError} for anything that is not a literal.
 */
export function parsePythonLiteral(text: string): unknown {
  return new Parser(text).parse();
}

/**
 * Reads a column that may hold JSON (what we write) or Python literal text (what the Python registry
 * wrote): JSON first, Python literal syntax if that fails. SQL NULL is `null`.
 */
export function parseStoredValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return parsePythonLiteral(text);
  }
}
