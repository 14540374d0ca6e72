/**
 * Helpers that reproduce Python `str` whitespace behaviour, which differs from JavaScript's.
 *
 * Python's `str.isspace()` / `str.strip()` treat as whitespace exactly the code points whose
 * bidirectional class is WS, B or S or whose category is Zs. Compared with JavaScript's `\s` and
 * `String.prototype.trim()`, that set additionally contains U+001C–U+001F and U+0085 (NEL), and it
 * does not contain U+FEFF (BOM). The legacy registry strips label-selector pieces (spec 5.3) and
 * version constraints (spec 5.2) with `str.strip()`, so we must use this set, not `trim()`.
 */

/** The code points for which Python's `str.isspace()` is true (Unicode 14–16 agree on this set). */
const PYTHON_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/**
 * Whether the single code point `codePoint` is whitespace for Python's `str.isspace()`.
 * Every member of the set is in the BMP, so UTF-16 code units and code points coincide here.
 */
export function isPythonSpace(codePoint: number): boolean {
  return PYTHON_WHITESPACE.has(codePoint);
}

/**
 * Python `s.strip()` with no argument: removes Python whitespace (see {@link isPythonSpace}) from both
 * ends. Pure; never throws.
 */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  // All whitespace code points are single UTF-16 units, so scanning by code unit is exact:
  // a surrogate half is never whitespace and stops the scan.
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}
