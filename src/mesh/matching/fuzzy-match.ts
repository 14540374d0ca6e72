/**
 * Fuzzy capability-name matching of the legacy registry (spec 5.1, spec 12 item 7).
 */

/** Minimum similarity ratio for a fuzzy match (spec 5.1: `ratio >= 0.7`). */
const FUZZY_THRESHOLD = 0.7;

/**
 * Levenshtein edit distance between `a` and `b` with unit costs for insertion, deletion and
 * substitution, computed per Unicode code point (an astral character counts as one, as in Python).
 * Case-sensitive. Pure; O(len(a) · len(b)) time, O(len(b)) memory.
 */
export function levenshtein(a: string, b: string): number {
  const source = Array.from(a);
  const target = Array.from(b);
  if (source.length === 0) return target.length;
  if (target.length === 0) return source.length;

  let previous = Array.from({ length: target.length + 1 }, (_, j) => j);
  let current = new Array<number>(target.length + 1).fill(0);
  for (let i = 1; i <= source.length; i++) {
    current[0] = i;
    for (let j = 1; j <= target.length; j++) {
      const substitution = previous[j - 1]! + (source[i - 1] === target[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[target.length]!;
}

/** Length in code points, like Python `len(str)`. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/**
 * Whether `query` fuzzily matches the capability `name`, spec 5.1:
 *
 * 1. either string empty → `false`;
 * 2. both are lower-cased (Unicode-aware, locale-independent);
 * 3. equal, or `query` is a substring of `name` (one direction only) → `true`;
 * 4. otherwise `1 − levenshtein / max(code-point lengths) >= 0.7`.
 *
 * Pure; never throws.
 *
 * @example isFuzzyMatch('get_forcast', 'get_forecast') // true  (d = 1, ratio ≈ 0.917)
 * @example isFuzzyMatch('forcast', 'get_forecast')     // false (d = 5, ratio ≈ 0.583)
 */
export function isFuzzyMatch(query: string, name: string): boolean {
  if (query === '' || name === '') return false;
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  if (q === n || n.includes(q)) return true;
  // Same floating-point expression as the reference, so the boundary (e.g. exactly 0.7) agrees.
  const ratio = 1 - levenshtein(q, n) / Math.max(codePointLength(q), codePointLength(n));
  return ratio >= FUZZY_THRESHOLD;
}
