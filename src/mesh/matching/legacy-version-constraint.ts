/**
 * The legacy registry's version-constraint check (spec 5.2). Deliberately NOT semver: every quirk
 * below is observable in `GET /agents` and `GET /capabilities` result sets and is preserved (spec 13.P).
 */
import { parsePythonInt } from '../../shared/python/python-int.js';
import { pythonStrip } from '../../shared/python/python-str.js';

/**
 * Compares two versions numerically, spec 5.2 `cmp`: everything from the first `-` is dropped
 * (pre-release ignored), the rest is split on `.`, each part is converted with Python `int()`, the
 * shorter list is padded with zeros. If ANY part of either side fails to parse, the versions count as
 * equal (0) — spec 12 item 8: `>=abc` matches everything, `>abc` matches nothing.
 */
function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const left = numericParts(a);
  const right = numericParts(b);
  if (left === undefined || right === undefined) return 0;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i] ?? 0;
    const y = right[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function numericParts(version: string): number[] | undefined {
  const release = version.split('-')[0]!;
  const parts: number[] = [];
  for (const part of release.split('.')) {
    const value = parsePythonInt(part);
    if (value === undefined) return undefined;
    parts.push(value);
  }
  return parts;
}

/**
 * `~` rule ("patch-compatible", spec 5.2): major and minor must be equal AS STRINGS and the patch
 * must be numerically >=. A missing part or a patch that Python `int()` rejects (`'3-beta'`) → false,
 * so `~1.2` never matches and `~1.2.0` does not match `1.2.3-beta`.
 */
function isPatchCompatible(version: string, target: string): boolean {
  const v = version.split('.');
  const t = target.split('.');
  if (v.length < 3 || t.length < 3 || v[0] !== t[0] || v[1] !== t[1]) return false;
  const vPatch = parsePythonInt(v[2]!);
  const tPatch = parsePythonInt(t[2]!);
  return vPatch !== undefined && tPatch !== undefined && vPatch >= tPatch;
}

/**
 * `^` rule ("minor-compatible", spec 5.2): major equal AS STRINGS and minor numerically >=. Unlike npm,
 * a 0 major is not special (`^0.2.0` matches `0.9.0`). Missing part or unparseable minor → false.
 */
function isMinorCompatible(version: string, target: string): boolean {
  const v = version.split('.');
  const t = target.split('.');
  if (v.length < 2 || t.length < 2 || v[0] !== t[0]) return false;
  const vMinor = parsePythonInt(v[1]!);
  const tMinor = parsePythonInt(t[1]!);
  return vMinor !== undefined && tMinor !== undefined && vMinor >= tMinor;
}

/**
 * Whether `version` satisfies `constraint` under the legacy rules of spec 5.2.
 *
 * `constraint` is first stripped with Python `str.strip()` semantics; an empty constraint is satisfied
 * by everything. `version` is used as given. Then the FIRST matching prefix decides:
 *
 * | prefix | rule (rest = constraint after the prefix, not trimmed again) |
 * |---|---|
 * | `>=` `>` `<=` `<` | numeric comparison (see `cmp` above; unparseable → "equal") |
 * | `=` | `version === rest` (so `= 1.0.0` and `==1.0.0` never match) |
 * | `~` | same major and minor strings, patch `>=` |
 * | `^` | same major string, minor `>=` |
 * | anything else | `version === constraint` (so `!=1.0.0` is a literal and never matches) |
 *
 * Pure; never throws.
 */
export function satisfiesLegacyConstraint(version: string, constraint: string): boolean {
  const c = pythonStrip(constraint);
  if (c === '') return true;
  // Order matters: `>=` must be tested before `>`, `<=` before `<` (spec 5.2, first matching rule).
  if (c.startsWith('>=')) return compareVersions(version, c.slice(2)) >= 0;
  if (c.startsWith('>')) return compareVersions(version, c.slice(1)) > 0;
  if (c.startsWith('<=')) return compareVersions(version, c.slice(2)) <= 0;
  if (c.startsWith('<')) return compareVersions(version, c.slice(1)) < 0;
  if (c.startsWith('=')) return version === c.slice(1);
  if (c.startsWith('~')) return isPatchCompatible(version, c.slice(1));
  if (c.startsWith('^')) return isMinorCompatible(version, c.slice(1));
  return version === c;
}
