/**
 * Comma-separated tag filters: `capability_tags` on `GET /agents` and `tags` on `GET /capabilities`
 * (spec 5.4).
 */

/**
 * Splits a tag filter on every `,` exactly like Python `str.split(',')`: no trimming and no removal of
 * empty pieces (PRESERVE, spec 5.4): `'io, fs'` → `['io', ' fs']`, `'a,,b'` → `['a', '', 'b']`,
 * `''` → `['']`. Callers decide beforehand whether an empty parameter means "no filter" (spec 4.5.1,
 * 4.6.1).
 */
export function splitTagList(text: string): string[] {
  return text.split(',');
}

/**
 * Whether at least one of `tags` is exactly (case-sensitively) equal to one of `wanted`. No tags, or
 * nothing wanted, → `false`.
 */
export function hasAnyTag(tags: readonly string[], wanted: readonly string[]): boolean {
  return tags.some((tag) => wanted.includes(tag));
}
