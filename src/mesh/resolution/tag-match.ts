/**
 * Tag matching of a provider against a dependency (spec registry-api-current.md §3 step 3), with
 * the scores of the upstream Go registry's matcher:
 *
 * - `tag`  — required: must be present, +5;
 * - `+tag` — preferred: +10 when present, nothing when absent;
 * - `-tag` — excluded: the provider is rejected when present;
 * - a nested array is an OR group: at least one plain or `+` member must be present (+10 when a
 *   `+` member is, else +5), and any present `-` member rejects the provider. A group made only
 *   of `-` members therefore never matches, as upstream.
 *
 * Tags compare exactly (case-sensitive). Empty names (`""`, `"+"`, `"-"`) are ignored outside
 * groups; inside a group they can never be the member that matches. Groups with no string member
 * are skipped. Pure: no I/O.
 */

/** A dependency's tags: strings, or nested arrays of strings (OR groups). */
export type TagSpec = readonly (string | readonly string[])[];

/** Score for a present required tag, or an OR group matched by a plain member. */
export const REQUIRED_TAG_SCORE = 5;
/** Score for a present preferred tag, or an OR group matched by a `+` member. */
export const PREFERRED_TAG_SCORE = 10;

function scorePlain(providerTags: readonly string[], wanted: string): number | undefined {
  if (wanted === '') return 0;
  const name = wanted.slice(1);
  switch (wanted[0]) {
    case '-':
      return name !== '' && providerTags.includes(name) ? undefined : 0;
    case '+':
      return name !== '' && providerTags.includes(name) ? PREFERRED_TAG_SCORE : 0;
    default:
      return providerTags.includes(wanted) ? REQUIRED_TAG_SCORE : undefined;
  }
}

function scoreGroup(providerTags: readonly string[], members: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const member of members) {
    if (member === '') continue;
    const name = member.slice(1);
    switch (member[0]) {
      case '-':
        if (name !== '' && providerTags.includes(name)) return undefined;
        break;
      case '+':
        if (name !== '' && providerTags.includes(name)) best = PREFERRED_TAG_SCORE;
        break;
      default:
        if (providerTags.includes(member)) best = Math.max(best ?? 0, REQUIRED_TAG_SCORE);
    }
  }
  return best;
}

/**
 * Scores a provider's tags against a dependency's tag spec: the sum of the scores above, `0` when
 * the spec is empty or absent, `undefined` when the provider is excluded.
 */
export function scoreTags(providerTags: readonly string[], spec: TagSpec | undefined): number | undefined {
  if (spec === undefined) return 0;
  let score = 0;
  for (const entry of spec) {
    if (typeof entry !== 'string') continue;
    const points = scorePlain(providerTags, entry);
    if (points === undefined) return undefined;
    score += points;
  }
  for (const entry of spec) {
    if (typeof entry === 'string' || !Array.isArray(entry)) continue;
    const members = (entry as readonly unknown[]).filter((m): m is string => typeof m === 'string');
    if (members.length === 0) continue;
    const points = scoreGroup(providerTags, members);
    if (points === undefined) return undefined;
    score += points;
  }
  return score;
}
