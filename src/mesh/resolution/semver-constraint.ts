/**
 * Version constraints as the upstream Go registry evaluates them (spec registry-api-current.md §3
 * step 4). The Go registry hands them to the Masterminds semver library (v3.4 at the pinned
 * commit), so this module reproduces that library's accepted syntax and its answers:
 *
 * - operators `=`, `!=`, `>`, `<`, `>=` (also `=>`), `<=` (also `=<`), `~` (also `~>`), `^`, or none;
 * - `x`, `X` and `*` wildcards and partial versions (`1`, `1.2`), an optional `v` prefix;
 * - hyphen ranges `1.2 - 1.4.5` (spaces around the dash are required);
 * - AND by commas or whitespace, OR by `||`;
 * - a pre-release version only satisfies an AND group in which some comparator names a
 *   pre-release (`>=1.0.0-0 <2` admits `1.5.0-beta`; `>=1.0.0` does not).
 *
 * On top of it, {@link satisfiesConstraint} applies the registry's own fallbacks: an empty
 * constraint matches anything, an empty version fails any other constraint, and a version or
 * constraint that does not parse is compared as a plain string.
 *
 * Pure: no I/O, no dependencies. Parsing is linear in the input except for the hyphen-range
 * search, which is why constraints longer than {@link MAX_CONSTRAINT_LENGTH} are treated as
 * unparseable (a deliberate, documented bound; real constraints are a few dozen characters).
 */

/** Constraints longer than this are treated as unparseable (string-equality fallback). */
export const MAX_CONSTRAINT_LENGTH = 1024;

const MAX_UINT64 = 18_446_744_073_709_551_615n;
const MAX_UINT64_DIGITS = 20;

/** A parsed version. Segments are unsigned 64-bit integers, as in the Go library. */
export interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers without the leading `-`; empty when there are none. */
  readonly prerelease: string;
  /** Build metadata without the leading `+`; empty when there is none. Never compared. */
  readonly build: string;
}

// The lenient ("coercing") version grammar: `v` prefix, one to three numeric segments (leading
// zeros allowed), optional pre-release and build identifiers. No nested quantifier can
// backtrack: each repetition is separated by a character the repeated part cannot contain.
const VERSION_SYNTAX =
  /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const DIGITS = /^[0-9]+$/;

/** A run of decimal digits as an unsigned 64-bit value; undefined when empty or too large. */
function toUint64(digits: string): bigint | undefined {
  if (!DIGITS.test(digits)) return undefined;
  let first = 0;
  while (first < digits.length - 1 && digits[first] === '0') first++;
  const significant = digits.slice(first);
  if (significant.length > MAX_UINT64_DIGITS) return undefined;
  const value = BigInt(significant);
  return value > MAX_UINT64 ? undefined : value;
}

/**
 * Parses a version the way the Go registry does (`semver.NewVersion`): `1`, `1.2`, `v1.2.3`,
 * `01.2.3`, `1.2.3-rc.1+build.5` are versions; `1.2.3.4`, `1.2.3-01`, ` 1.2.3`, `latest` are not.
 */
export function parseVersion(text: string): SemVer | undefined {
  // A mesh has few distinct versions, and resolution compares them again and again.
  const known = parsedVersions.get(text);
  if (known !== undefined) return known ?? undefined;
  const parsed = parseVersionText(text);
  if (parsedVersions.size >= MAX_PARSED_VERSIONS) parsedVersions.clear();
  parsedVersions.set(text, parsed ?? null);
  return parsed;
}

/** Versions parsed so far (null: not a version); bounded, cleared when full. */
const parsedVersions = new Map<string, SemVer | null>();
const MAX_PARSED_VERSIONS = 4096;

function parseVersionText(text: string): SemVer | undefined {
  const m = VERSION_SYNTAX.exec(text);
  if (m === null) return undefined;
  const major = toUint64(m[1] ?? '');
  const minor = m[2] === undefined ? 0n : toUint64(m[2]);
  const patch = m[3] === undefined ? 0n : toUint64(m[3]);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease = m[4] ?? '';
  // Numeric pre-release identifiers must not have leading zeros (`1.0.0-01` is invalid).
  for (const identifier of prerelease === '' ? [] : prerelease.split('.')) {
    if (identifier.length > 1 && identifier[0] === '0' && DIGITS.test(identifier)) return undefined;
  }
  return { major, minor, patch, prerelease, build: m[5] ?? '' };
}

function sign(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two pre-release identifiers; numeric ones sort below alphanumeric ones. */
function comparePrereleaseIdentifier(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const an = toUint64(a);
  const bn = toUint64(b);
  if (an === undefined && bn === undefined) return a > b ? 1 : -1;
  if (bn === undefined) return -1;
  if (an === undefined) return 1;
  return an > bn ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const order = comparePrereleaseIdentifier(left[i] ?? '', right[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

/** Semantic-version precedence of two parsed versions: -1, 0 or 1. Build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const order = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (order !== 0) return order;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 form (Go's
 * `strings.Compare`, and the order Go's JSON encoder gives map keys). Plain `<` compares UTF-16
 * code units and disagrees for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xSurrogate = x >= 0xd800 && x <= 0xdfff;
      const ySurrogate = y >= 0xd800 && y <= 0xdfff;
      if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * Orders two provider versions for the "highest version wins" step of the choice: -1, 0 or 1.
 * Two valid versions compare by semver precedence; a valid version ranks above an invalid or empty
 * one; two invalid ones compare as strings so the choice stays deterministic.
 */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va !== undefined && vb !== undefined) return compareSemVer(va, vb);
  if (va !== undefined) return 1;
  if (vb !== undefined) return -1;
  return compareCodePoints(a, b);
}

// ---------------------------------------------------------------------------------------------
// Constraint syntax

type Operator = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

/** One comparator of an AND group, e.g. `>= 1.2` or `~1.x`. */
interface Comparator {
  readonly operator: Operator;
  /** The version the comparator is anchored at, wildcards replaced by zeros. */
  readonly version: SemVer;
  /** Some segment was a wildcard or missing (`1.x`, `1.2`, `*`). */
  readonly dirty: boolean;
  /** The minor segment (and so the patch) was a wildcard or missing (`1`, `1.x`). */
  readonly minorDirty: boolean;
  /** Only the patch segment was a wildcard or missing (`1.2`, `1.2.x`). */
  readonly patchDirty: boolean;
}

/** The textual pieces of one version inside a constraint (wildcards still in place). */
interface VersionToken {
  readonly end: number;
  readonly text: string;
  readonly major: string;
  readonly minor: string | undefined;
  readonly patch: string | undefined;
  readonly prerelease: string | undefined;
}

// Whitespace as Go's regexp `\s` defines it (ASCII only, no vertical tab).
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
}

// Characters a version segment may hold inside a constraint. The Go grammar's character class
// also admits `|`; such a segment never yields a version, so the constraint then fails to parse.
function isSegmentChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= '0' && c <= '9') || c === 'x' || c === 'X' || c === '*' || c === '|');
}

function isIdentifierChar(c: string | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '-')
  );
}

function isWildcard(segment: string): boolean {
  return segment === 'x' || segment === 'X' || segment === '*';
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i++;
  return i;
}

function skipRun(text: string, from: number, accept: (c: string | undefined) => boolean): number {
  let i = from;
  while (accept(text[i])) i++;
  return i;
}

/** End of `identifier(.identifier)*` starting at `from`, or -1 when there is none. */
function scanIdentifiers(text: string, from: number): number {
  if (!isIdentifierChar(text[from])) return -1;
  let end = skipRun(text, from, isIdentifierChar);
  while (text[end] === '.' && isIdentifierChar(text[end + 1])) end = skipRun(text, end + 1, isIdentifierChar);
  return end;
}

/**
 * The longest version token starting at `from`: `v? S (.S)? (.S)? (-ids)? (+ids)?` where S is a
 * run of segment characters. Optional parts that cannot be completed are left out, as a regular
 * expression would (`1.2.` scans as `1.2`).
 */
function scanVersionToken(text: string, from: number): VersionToken | undefined {
  const start = text[from] === 'v' ? from + 1 : from;
  const majorEnd = skipRun(text, start, isSegmentChar);
  if (majorEnd === start) return undefined;
  let end = majorEnd;
  const segments: string[] = [];
  while (segments.length < 2 && text[end] === '.' && isSegmentChar(text[end + 1])) {
    const segmentEnd = skipRun(text, end + 1, isSegmentChar);
    segments.push(text.slice(end + 1, segmentEnd));
    end = segmentEnd;
  }
  let prerelease: string | undefined;
  if (text[end] === '-') {
    const preEnd = scanIdentifiers(text, end + 1);
    if (preEnd !== -1) {
      prerelease = text.slice(end + 1, preEnd);
      end = preEnd;
    }
  }
  if (text[end] === '+') {
    const buildEnd = scanIdentifiers(text, end + 1);
    if (buildEnd !== -1) end = buildEnd;
  }
  return {
    end,
    text: text.slice(from, end),
    major: text.slice(start, majorEnd),
    minor: segments[0],
    patch: segments[1],
    prerelease,
  };
}

/** The operator at `at` (possibly the empty one), or undefined for a lone `!`. */
function scanOperator(text: string, at: number): { operator: Operator; end: number } | undefined {
  const next = text[at + 1];
  switch (text[at]) {
    case '!':
      return next === '=' ? { operator: '!=', end: at + 2 } : undefined;
    case '>':
      return next === '=' ? { operator: '>=', end: at + 2 } : { operator: '>', end: at + 1 };
    case '<':
      return next === '=' ? { operator: '<=', end: at + 2 } : { operator: '<', end: at + 1 };
    case '=':
      if (next === '>') return { operator: '=>', end: at + 2 };
      if (next === '<') return { operator: '=<', end: at + 2 };
      return { operator: '=', end: at + 1 };
    case '~':
      return next === '>' ? { operator: '~>', end: at + 2 } : { operator: '~', end: at + 1 };
    case '^':
      return { operator: '^', end: at + 1 };
    default:
      return { operator: '', end: at };
  }
}

/** A hyphen range `low - high` found at `from`, with the surrounding whitespace it swallows. */
function matchRangeAt(text: string, from: number): { text: string; replacement: string } | undefined {
  const low = scanVersionToken(text, skipSpaces(text, from));
  if (low === undefined) return undefined;
  const dash = skipSpaces(text, low.end);
  if (dash === low.end || text[dash] !== '-') return undefined;
  const highStart = skipSpaces(text, dash + 1);
  if (highStart === dash + 1) return undefined;
  const high = scanVersionToken(text, highStart);
  if (high === undefined) return undefined;
  const end = skipSpaces(text, high.end);
  return { text: text.slice(from, end), replacement: `>= ${low.text}, <= ${high.text} ` };
}

/**
 * Rewrites every hyphen range into `>= low, <= high `, before the `||` split and with the same
 * leftmost scan and first-occurrence replacement as the Go library, so odd inputs end the same.
 */
function rewriteRanges(text: string): string {
  const found: { text: string; replacement: string }[] = [];
  let at = 0;
  while (at < text.length) {
    const range = matchRangeAt(text, at);
    if (range !== undefined) {
      found.push(range);
      at += range.text.length;
    } else {
      // Every start inside a run of whitespace fails the same way as the first one after it.
      at = skipSpaces(text, at) + 1;
    }
  }
  let rewritten = text;
  for (const range of found) {
    const index = rewritten.indexOf(range.text);
    if (index !== -1) {
      rewritten = rewritten.slice(0, index) + range.replacement + rewritten.slice(index + range.text.length);
    }
  }
  return rewritten;
}

/**
 * Splits one OR alternative into its comparators: `op? version` items separated by whitespace or
 * a comma (with optional whitespace around). Undefined when the alternative is malformed.
 */
function scanAlternative(text: string): { operator: Operator; token: VersionToken }[] | undefined {
  const items: { operator: Operator; token: VersionToken }[] = [];
  let at = skipSpaces(text, 0);
  for (;;) {
    const op = scanOperator(text, at);
    if (op === undefined) return undefined;
    const token = scanVersionToken(text, skipSpaces(text, op.end));
    if (token === undefined) return undefined;
    items.push({ operator: op.operator, token });
    at = skipSpaces(text, token.end);
    if (at === text.length) return items;
    if (text[at] === ',') at = skipSpaces(text, at + 1);
    else if (at === token.end) return undefined; // two items with nothing between them
  }
}

function toComparator(operator: Operator, token: VersionToken): Comparator | undefined {
  const pre = token.prerelease === undefined ? '' : `-${token.prerelease}`;
  let anchor: string;
  let minorDirty = false;
  let patchDirty = false;
  let dirty = true;
  if (isWildcard(token.major)) {
    anchor = `0.0.0${pre}`;
  } else if (token.minor === undefined || isWildcard(token.minor)) {
    minorDirty = true;
    anchor = `${token.major}.0.0${pre}`;
  } else if (token.patch === undefined || isWildcard(token.patch)) {
    patchDirty = true;
    anchor = `${token.major}.${token.minor}.0${pre}`;
  } else {
    dirty = false;
    anchor = token.text;
  }
  const version = parseVersion(anchor);
  return version === undefined ? undefined : { operator, version, dirty, minorDirty, patchDirty };
}

// --- comparator semantics (reproducing the Go library's, including its wildcard rules) --------

function tilde(c: Comparator, v: SemVer): boolean {
  const w = c.version;
  if (compareSemVer(v, w) < 0) return false;
  // `~0.0.0` (and `~*`) accept everything at or above 0.0.0.
  if (w.major === 0n && w.minor === 0n && w.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== w.major) return false;
  return v.minor === w.minor || c.minorDirty;
}

function caret(c: Comparator, v: SemVer): boolean {
  const w = c.version;
  if (compareSemVer(v, w) < 0) return false;
  if (w.major > 0n || c.minorDirty) return v.major === w.major;
  if (v.major > 0n) return false;
  if (w.minor > 0n || c.patchDirty) return v.minor === w.minor;
  if (v.minor > 0n) return false;
  return v.patch === w.patch;
}

function notEqual(c: Comparator, v: SemVer): boolean {
  const w = c.version;
  if (c.dirty) {
    if (v.major !== w.major) return true;
    if (c.minorDirty) return false;
    if (v.minor !== w.minor) return true;
    if (c.patchDirty) {
      return v.prerelease !== '' || w.prerelease !== ''
        ? comparePrerelease(v.prerelease, w.prerelease) !== 0
        : false;
    }
    if (v.patch !== w.patch) return true;
  }
  return compareSemVer(v, w) !== 0;
}

function greaterThan(c: Comparator, v: SemVer): boolean {
  const w = c.version;
  if (!c.dirty) return compareSemVer(v, w) > 0;
  if (v.major !== w.major) return v.major > w.major;
  if (c.minorDirty) return false; // `>1` needs 2.0.0 or more
  if (c.patchDirty) return v.minor > w.minor; // `>1.2` needs 1.3.0 or more
  return compareSemVer(v, w) > 0;
}

function lessOrEqual(c: Comparator, v: SemVer): boolean {
  const w = c.version;
  if (!c.dirty) return compareSemVer(v, w) <= 0;
  if (v.major > w.major) return false;
  return !(v.major === w.major && v.minor > w.minor && !c.minorDirty);
}

function check(c: Comparator, v: SemVer, includePrerelease: boolean): boolean {
  if (v.prerelease !== '' && !includePrerelease) return false;
  switch (c.operator) {
    case '':
    case '=':
      return c.dirty ? tilde(c, v) : compareSemVer(v, c.version) === 0;
    case '!=':
      return notEqual(c, v);
    case '>':
      return greaterThan(c, v);
    case '<':
      return compareSemVer(v, c.version) < 0;
    case '>=':
    case '=>':
      return compareSemVer(v, c.version) >= 0;
    case '<=':
    case '=<':
      return lessOrEqual(c, v);
    case '~':
    case '~>':
      return tilde(c, v);
    case '^':
      return caret(c, v);
  }
}

/** A parsed constraint: OR alternatives, each an AND group of comparators. */
export class VersionConstraint {
  readonly source: string;
  readonly #alternatives: readonly (readonly Comparator[])[];
  /** Per alternative: some comparator names a pre-release, so pre-releases are admitted there. */
  readonly #admitsPrerelease: readonly boolean[];

  private constructor(source: string, alternatives: readonly (readonly Comparator[])[]) {
    this.source = source;
    this.#alternatives = alternatives;
    this.#admitsPrerelease = alternatives.map((group) => group.some((c) => c.version.prerelease !== ''));
  }

  /** Parses a non-empty constraint; undefined when the Go registry could not parse it either. */
  static parse(text: string): VersionConstraint | undefined {
    if (text.length > MAX_CONSTRAINT_LENGTH) return undefined;
    const alternatives: Comparator[][] = [];
    for (const alternative of rewriteRanges(text).split('||')) {
      const items = scanAlternative(alternative);
      if (items === undefined) return undefined;
      const group: Comparator[] = [];
      for (const { operator, token } of items) {
        const comparator = toComparator(operator, token);
        if (comparator === undefined) return undefined;
        group.push(comparator);
      }
      alternatives.push(group);
    }
    return new VersionConstraint(text, alternatives);
  }

  /** Whether a parsed version satisfies the constraint. */
  test(version: SemVer): boolean {
    return this.#alternatives.some((group, i) =>
      group.every((c) => check(c, version, this.#admitsPrerelease[i] === true)),
    );
  }
}

/** Parses a constraint; undefined when it does not parse (the empty constraint does not parse). */
export function parseConstraint(text: string): VersionConstraint | undefined {
  return VersionConstraint.parse(text);
}

/**
 * Prepares a constraint once for testing many provider versions, with the registry's fallbacks:
 * an empty constraint matches every version (even an empty one); otherwise an empty version never
 * matches; a version or constraint that does not parse matches only the identical string.
 */
export function compileConstraint(constraint: string): (version: string) => boolean {
  if (constraint === '') return () => true;
  const parsed = parseConstraint(constraint);
  return (version: string): boolean => {
    if (version === '') return false;
    const v = parseVersion(version);
    if (v === undefined || parsed === undefined) return version === constraint;
    return parsed.test(v);
  };
}

/** Whether a provider's version satisfies a dependency's constraint (see {@link compileConstraint}). */
export function satisfiesConstraint(version: string, constraint: string): boolean {
  return compileConstraint(constraint)(version);
}
