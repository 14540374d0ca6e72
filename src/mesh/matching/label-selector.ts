/**
 * Kubernetes-style (equality-only) label selectors of `GET /agents?label_selector=…` (spec 5.3, 4.5.3).
 */
import { pythonStrip } from '../../shared/python/python-str.js';

/**
 * A selector piece without `=`. The message is the exact text of spec 4.5.3; the intended answer is
 * 400 `{"detail": <message>}` (spec 13.2 recommends it over the reference's plain-text 500).
 */
export class LabelSelectorError extends Error {
  /** The offending piece exactly as split from the selector (untrimmed; `''` for a trailing comma). */
  readonly piece: string;

  constructor(piece: string) {
    super(`Invalid label selector format: ${piece}. Expected 'key=value'`);
    this.name = 'LabelSelectorError';
    this.piece = piece;
  }
}

/**
 * Parses `key=value[,key=value…]` as spec 5.3 describes:
 *
 * - the selector is split on every `,`, with no trimming and no removal of empty pieces, so a trailing
 *   comma (`env=prod,`) yields an empty piece, which is an error;
 * - each piece is split at its FIRST `=` (`a==b` → key `a`, value `=b`; `=x` → key `''`), and key and
 *   value are stripped with Python `str.strip()` semantics (`env=prod, team = platform` works);
 * - a piece without `=` throws {@link LabelSelectorError} for that (untrimmed) piece;
 * - a later duplicate key overwrites the earlier value (and keeps the earlier position, like a dict).
 *
 * Callers treat an empty `label_selector` as "not given" (spec 4.5.1) and must not call this with `''`,
 * which would throw for the empty piece.
 *
 * @throws {LabelSelectorError} for the first piece that contains no `=`.
 */
export function parseLabelSelector(selector: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const piece of selector.split(',')) {
    const at = piece.indexOf('=');
    if (at === -1) throw new LabelSelectorError(piece);
    pairs.set(pythonStrip(piece.slice(0, at)), pythonStrip(piece.slice(at + 1)));
  }
  return pairs;
}

/**
 * Whether the agent's `labels` contain every pair of `selector` with exactly equal values
 * (case-sensitive). A key the agent does not have never matches; an empty selector matches every
 * agent. Only own properties count (`Object.hasOwn`), so `constructor=…` cannot match a prototype key.
 */
export function matchesLabels(labels: Record<string, string>, selector: Map<string, string>): boolean {
  for (const [key, value] of selector) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return true;
}
