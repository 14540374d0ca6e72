/**
 * Emulation of Python's `int(text)` for a `str` argument in base 10 (used by the version rules of spec 5.2).
 */
import { isPythonSpace } from './python-str.js';

/** One Unicode decimal digit (General_Category Nd, which Unicode makes equal to Numeric_Type=Decimal). */
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** ASCII whitespace as CPython's `Py_ISSPACE` sees it after the Unicode → ASCII transformation. */
const ASCII_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/**
 * Digit-count limit of `int(str)` since CPython 3.11 (and the 3.7.14–3.10.7 security releases):
 * `sys.int_info.default_max_str_digits`. Longer inputs raise ValueError. Underscores are not counted.
 */
const MAX_STR_DIGITS = 4300;

/**
 * Value 0–9 of a decimal-digit code point. Unicode guarantees that every decimal digit set is encoded
 * as a contiguous run 0…9, so a maximal run of consecutive Nd code points is a sequence of complete
 * 0…9 blocks (e.g. the five mathematical digit sets at U+1D7CE–U+1D7FF) starting with a zero.
 */
function decimalValue(codePoint: number): number {
  let start = codePoint;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (codePoint - start) % 10;
}

/**
 * Mirrors CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: code points below U+007F are kept as
 * they are (so U+001C–U+001F stay and are then rejected, although `str.isspace()` is true for them),
 * other Python whitespace becomes a space, other decimal digits become their ASCII digit. Returns
 * `undefined` for anything else, which Python would reject.
 */
function toAscii(text: string): string | undefined {
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x7f) out += char;
    else if (isPythonSpace(codePoint)) out += ' ';
    else if (DECIMAL_DIGIT.test(char)) out += String(decimalValue(codePoint));
    else return undefined;
  }
  return out;
}

/**
 * Parses `text` exactly when Python's `int(text)` would succeed, and returns its value; returns
 * `undefined` where Python raises `ValueError`. Accepted: surrounding whitespace (Python's set, e.g.
 * U+3000, U+0085), one leading `+` or `-`, decimal digits of any script (`'١٢٣'` → 123, `'１２'` → 12),
 * leading zeros (`'007'` → 7), and single underscores between digits (`'1_000'`). Rejected: empty or
 * blank text, `'_1'`, `'1_'`, `'1__0'`, `'- 5'`, non-decimal numerals such as `'²'`, more than 4300 digits.
 *
 * The result is a JavaScript number: values beyond `Number.MAX_SAFE_INTEGER` lose precision and huge
 * values become ±Infinity (Python keeps them exact). `'-0'` returns 0. Pure; never throws.
 */
export function parsePythonInt(text: string): number | undefined {
  const ascii = toAscii(text);
  if (ascii === undefined) return undefined;

  let start = 0;
  let end = ascii.length;
  while (start < end && ASCII_SPACE.has(ascii[start]!)) start++;
  while (end > start && ASCII_SPACE.has(ascii[end - 1]!)) end--;
  let body = ascii.slice(start, end);

  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body.startsWith('-');
    body = body.slice(1);
  }
  // Digits, with single underscores only between two digits.
  if (!/^[0-9]+(?:_[0-9]+)*$/.test(body)) return undefined;
  const digits = body.replaceAll('_', '');
  if (digits.length > MAX_STR_DIGITS) return undefined;

  const value = Number(digits);
  return negative && value !== 0 ? -value : value;
}
