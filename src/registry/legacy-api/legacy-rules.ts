/**
 * Field rules of the legacy pydantic models and their exact messages (spec 3.6).
 *
 * The reference checks these with Python `re.match`, whose semantics differ from a JavaScript regex
 * (spec 3.6, spec 12 item 5), and we keep Python's acceptance exactly:
 * - anchored at the start only; a pattern without `$` may leave a tail unmatched;
 * - `$` also matches just before ONE trailing `\n` → written here as `\n?$` (so `'prod\n'` is a valid
 *   namespace and `'prod\n\n'` is not);
 * - `\d` is any Unicode decimal digit → `\p{Nd}` with the `u` flag (`'١.٢.٣'` is a valid version);
 * - `.` matches everything except `\n` (JavaScript's `.` also excludes `\r`, U+2028, U+2029) → `[^\n]`.
 * Character ranges such as `[a-z]` are ASCII-only in both languages.
 */

/** The exact message texts of spec 3.6 (the `<message>` inside pydantic's `Value error, <message>`). */
export const LEGACY_MESSAGES = Object.freeze({
  capabilityName:
    'Capability name must start with letter and contain only letters, numbers, underscore, hyphen',
  capabilityVersion: 'Version must follow semantic versioning (x.y.z)',
  stability: 'Stability must be one of: stable, beta, alpha, deprecated',
  agentNameFormat: 'Agent name must be lowercase alphanumeric with hyphens, start and end with alphanumeric',
  agentNameLength: 'Agent name must be 63 characters or less',
  namespaceFormat: 'Namespace must be lowercase alphanumeric with hyphens, start and end with alphanumeric',
  namespaceLength: 'Namespace must be 63 characters or less',
  endpoint: 'Endpoint must be a valid HTTP/HTTPS URL',
  status: 'Status must be one of: pending, healthy, degraded, expired, offline',
  agentType: 'Agent type must be lowercase alphanumeric with hyphens',
} as const);

/** Maximum length of an agent name or namespace, in code points (Python `len`), spec 3.6. */
const MAX_NAME_LENGTH = 63;

/** `^[a-zA-Z][a-zA-Z0-9_-]*$` under `re.match`. */
const CAPABILITY_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*\n?$/u;
/** `^\d+\.\d+\.\d+(-[a-zA-Z0-9-]+)?$` under `re.match`: `2.1.0-beta` ok, `2.1.0-beta.1` rejected. */
const CAPABILITY_VERSION = /^\p{Nd}+\.\p{Nd}+\.\p{Nd}+(?:-[a-zA-Z0-9-]+)?\n?$/u;
/** `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$` under `re.match` (agent name, namespace, agent type). */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\n?$/u;
/** `^https?://.+` under `re.match`: no end anchor; `.` is "anything but `\n`". */
const HTTP_URL = /^https?:\/\/[^\n]+/u;

const STABILITIES: ReadonlySet<string> = new Set(['stable', 'beta', 'alpha', 'deprecated']);
const STATUSES: ReadonlySet<string> = new Set(['pending', 'healthy', 'degraded', 'expired', 'offline']);

/** Length in code points, like Python `len(str)`. */
function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Capability `name` rule (spec 3.6). A trailing `"\n"` is accepted (Python `$`). */
export function isValidCapabilityName(name: string): boolean {
  return CAPABILITY_NAME.test(name);
}

/** Capability `version` rule (spec 3.6): `x.y.z` with Unicode digits and an optional dot-free pre-release. */
export function isValidCapabilityVersion(version: string): boolean {
  return CAPABILITY_VERSION.test(version);
}

/** Capability `stability` rule (spec 3.6): exactly one of `stable`, `beta`, `alpha`, `deprecated`. */
export function isValidStability(stability: string): boolean {
  return STABILITIES.has(stability);
}

/**
 * `stability` query parameter of `GET /capabilities` (spec 3.6 last row, 4.6.4): empty, or a valid
 * stability. A failure uses {@link LEGACY_MESSAGES}`.stability`.
 */
export function isValidSearchStability(stability: string): boolean {
  return stability === '' || isValidStability(stability);
}

/**
 * The Kubernetes-like format shared by agent `name`, `namespace` and `agent_type` (spec 3.6): lowercase
 * ASCII alphanumerics and hyphens, starting and ending with an alphanumeric, optionally followed by one
 * `"\n"` (Python `$`). Does not check length.
 */
export function isValidNamespaceOrName(value: string): boolean {
  return DNS_LABEL.test(value);
}

/** Agent `agent_type` rule (spec 3.6): the format of {@link isValidNamespaceOrName}, no length limit. */
export function isValidAgentType(agentType: string): boolean {
  return DNS_LABEL.test(agentType);
}

/** Agent `status` rule (spec 3.6): one of `pending`, `healthy`, `degraded`, `expired`, `offline`. */
export function isValidStatus(status: string): boolean {
  return STATUSES.has(status);
}

/**
 * Agent `endpoint` rule (spec 3.6): `http://` or `https://` (case-sensitive) followed by at least one
 * character other than `\n`. Only a prefix is checked, so `'http://x\nanything'` passes while exactly
 * `'http://'` or `'http://\n'` fails.
 */
export function isValidEndpoint(endpoint: string): boolean {
  return HTTP_URL.test(endpoint);
}

/**
 * Validates a namespace as the reference does: the format rule first, then length ≤ 63 code points.
 * Returns the message of the first failing rule ({@link LEGACY_MESSAGES}), or `undefined` if valid.
 */
export function checkNamespace(namespace: string): string | undefined {
  if (!isValidNamespaceOrName(namespace)) return LEGACY_MESSAGES.namespaceFormat;
  if (pythonLength(namespace) > MAX_NAME_LENGTH) return LEGACY_MESSAGES.namespaceLength;
  return undefined;
}

/**
 * Validates an agent name: the format rule first, then length ≤ 63 code points (spec 3.6). Over HTTP
 * names are normalised first (spec 4.4.2), so only the length message is reachable there. Returns the
 * message of the first failing rule, or `undefined` if valid.
 */
export function checkAgentName(name: string): string | undefined {
  if (!isValidNamespaceOrName(name)) return LEGACY_MESSAGES.agentNameFormat;
  if (pythonLength(name) > MAX_NAME_LENGTH) return LEGACY_MESSAGES.agentNameLength;
  return undefined;
}
