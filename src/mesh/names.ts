/**
 * Agent name / agent type normalisation of the legacy registration handler (spec 4.4.2 steps 2 and 3).
 */

/** Anything that is not `a`–`z`, `0`–`9` or `-`, one code point at a time (`u` flag, spec 12 item 6). */
const NOT_NAME_CHAR = /[^a-z0-9-]/gu;
const HYPHEN_RUN = /-+/g;
const EDGE_HYPHENS = /^-|-$/g;

/**
 * Normalises a client-supplied agent name (or agent type) the way the legacy registry does, spec 4.4.2
 * step 2:
 *
 * 1. lower-case, Unicode-aware and locale-independent (like Python `str.lower()`, e.g. `Ü` → `ü`);
 * 2. replace every code point that is not `a`–`z`, `0`–`9` or `-` with `-`;
 * 3. collapse each run of `-` into a single `-`;
 * 4. strip one leading and one trailing `-` (after step 3 there is at most one at each end);
 * 5. an empty result becomes `agent`.
 *
 * The result always matches the agent-name rule of spec 3.6; its length is NOT limited here (the caller
 * applies the 63-character rule, see `checkAgentName`). Pure; never throws.
 *
 * @example normalizeName('Ünïcode Agent') // 'n-code-agent' — non-ASCII letters become hyphens (PRESERVE)
 */
export function normalizeName(raw: string): string {
  const normalised = raw
    .toLowerCase()
    .replace(NOT_NAME_CHAR, '-')
    .replace(HYPHEN_RUN, '-')
    .replace(EDGE_HYPHENS, '');
  return normalised === '' ? 'agent' : normalised;
}
