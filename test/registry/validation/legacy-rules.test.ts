import { describe, expect, it } from 'vitest';
import {
  checkAgentName,
  checkNamespace,
  isValidAgentType,
  isValidCapabilityName,
  isValidCapabilityVersion,
  isValidEndpoint,
  isValidNamespaceOrName,
  isValidSearchStability,
  isValidStability,
  isValidStatus,
  LEGACY_MESSAGES,
} from '../../../src/registry/legacy-api/legacy-rules.js';

// `case` is a printable description, because several inputs contain newlines.
type Case = { case: string; input: string; expected: boolean };

describe('LEGACY_MESSAGES', () => {
  it.each([
    [
      'capabilityName',
      'Capability name must start with letter and contain only letters, numbers, underscore, hyphen',
    ],
    ['capabilityVersion', 'Version must follow semantic versioning (x.y.z)'],
    ['stability', 'Stability must be one of: stable, beta, alpha, deprecated'],
    [
      'agentNameFormat',
      'Agent name must be lowercase alphanumeric with hyphens, start and end with alphanumeric',
    ],
    ['agentNameLength', 'Agent name must be 63 characters or less'],
    [
      'namespaceFormat',
      'Namespace must be lowercase alphanumeric with hyphens, start and end with alphanumeric',
    ],
    ['namespaceLength', 'Namespace must be 63 characters or less'],
    ['endpoint', 'Endpoint must be a valid HTTP/HTTPS URL'],
    ['status', 'Status must be one of: pending, healthy, degraded, expired, offline'],
    ['agentType', 'Agent type must be lowercase alphanumeric with hyphens'],
  ] as const)('holds the exact spec 3.6 text for %s', (key, text) => {
    expect(LEGACY_MESSAGES[key]).toBe(text);
  });

  it('has exactly the ten messages of the table and cannot be modified', () => {
    expect(Object.keys(LEGACY_MESSAGES)).toHaveLength(10);
    expect(Object.isFrozen(LEGACY_MESSAGES)).toBe(true);
  });
});

describe('isValidCapabilityName', () => {
  it.each<Case>([
    { case: 'a letter', input: 'a', expected: true },
    { case: 'letters, digits, underscore, hyphen', input: 'read_File-2', expected: true },
    { case: 'a trailing hyphen', input: 'read-', expected: true },
    { case: 'one trailing newline (Python $)', input: 'read_file\n', expected: true },
    { case: 'two trailing newlines', input: 'read_file\n\n', expected: false },
    { case: 'an inner newline', input: 'read\nfile', expected: false },
    { case: 'a leading digit', input: '1read', expected: false },
    { case: 'a leading underscore', input: '_read', expected: false },
    { case: 'the empty string', input: '', expected: false },
    { case: 'a dot', input: 'read.file', expected: false },
    { case: 'a space', input: 'read file', expected: false },
    { case: 'a non-ASCII letter', input: 'lé', expected: false },
    { case: 'a Unicode digit', input: 'a١', expected: false },
    { case: 'a trailing carriage return', input: 'read\r', expected: false },
  ])('says $expected for $case', ({ input, expected }) => {
    expect(isValidCapabilityName(input)).toBe(expected);
  });
});

describe('isValidCapabilityVersion', () => {
  it.each<Case>([
    { case: '1.0.0', input: '1.0.0', expected: true },
    { case: 'multi-digit parts', input: '10.20.30', expected: true },
    { case: '2.1.0-beta', input: '2.1.0-beta', expected: true },
    { case: 'a pre-release with hyphens', input: '2.1.0-rc-1-X', expected: true },
    { case: '2.1.0-beta.1 (dot in pre-release)', input: '2.1.0-beta.1', expected: false },
    { case: 'a build suffix', input: '1.0.0+build', expected: false },
    { case: 'an empty pre-release', input: '1.0.0-', expected: false },
    { case: 'an underscore in the pre-release', input: '1.0.0-a_b', expected: false },
    { case: 'two parts', input: '1.0', expected: false },
    { case: 'four parts', input: '1.0.0.0', expected: false },
    { case: 'a v prefix', input: 'v1.0.0', expected: false },
    { case: 'the empty string', input: '', expected: false },
    { case: 'Arabic-Indic digits (Python \\d)', input: '١.٢.٣', expected: true },
    { case: 'mathematical digits (astral \\d)', input: '𝟗.0.0', expected: true },
    { case: 'one trailing newline', input: '1.0.0\n', expected: true },
    { case: 'a pre-release and a trailing newline', input: '1.0.0-beta\n', expected: true },
    { case: 'a leading space', input: ' 1.0.0', expected: false },
    { case: 'a superscript digit', input: '1.0.²', expected: false },
  ])('says $expected for $case', ({ input, expected }) => {
    expect(isValidCapabilityVersion(input)).toBe(expected);
  });
});

describe('isValidStability and isValidSearchStability', () => {
  it.each([
    { input: 'stable', model: true, search: true },
    { input: 'beta', model: true, search: true },
    { input: 'alpha', model: true, search: true },
    { input: 'deprecated', model: true, search: true },
    { input: '', model: false, search: true },
    { input: 'experimental', model: false, search: false },
    { input: 'Stable', model: false, search: false },
    { input: 'stable\n', model: false, search: false },
  ])('accepts $input on the model: $model, in search: $search', ({ input, model, search }) => {
    expect(isValidStability(input)).toBe(model);
    expect(isValidSearchStability(input)).toBe(search);
  });
});

describe('isValidStatus', () => {
  it.each([
    { input: 'pending', expected: true },
    { input: 'healthy', expected: true },
    { input: 'degraded', expected: true },
    { input: 'expired', expected: true },
    { input: 'offline', expected: true },
    { input: 'unknown', expected: false },
    { input: 'HEALTHY', expected: false },
    { input: '', expected: false },
  ])('says $expected for $input', ({ input, expected }) => {
    expect(isValidStatus(input)).toBe(expected);
  });
});

describe('isValidNamespaceOrName and isValidAgentType', () => {
  it.each<Case>([
    { case: 'default', input: 'default', expected: true },
    { case: 'one character', input: 'a', expected: true },
    { case: 'one digit', input: '7', expected: true },
    { case: 'inner hyphens', input: 'mesh--agent-2', expected: true },
    { case: 'one trailing newline (Python $)', input: 'prod\n', expected: true },
    { case: 'a single character and a newline', input: 'a\n', expected: true },
    { case: 'two trailing newlines', input: 'prod\n\n', expected: false },
    { case: 'a leading newline', input: '\nprod', expected: false },
    { case: 'upper case', input: 'Prod_NS', expected: false },
    { case: 'an underscore', input: 'prod_ns', expected: false },
    { case: 'a leading hyphen', input: '-prod', expected: false },
    { case: 'a trailing hyphen', input: 'prod-', expected: false },
    { case: 'a trailing hyphen and newline', input: 'prod-\n', expected: false },
    { case: 'a dot', input: 'a.b', expected: false },
    { case: 'the empty string', input: '', expected: false },
    { case: 'only a newline', input: '\n', expected: false },
    { case: 'a Unicode digit', input: '١', expected: false },
  ])('says $expected for $case', ({ input, expected }) => {
    expect(isValidNamespaceOrName(input)).toBe(expected);
    expect(isValidAgentType(input)).toBe(expected);
  });

  it('puts no length limit on the format rule or on agent types', () => {
    expect(isValidNamespaceOrName('a'.repeat(200))).toBe(true);
    expect(isValidAgentType('a'.repeat(200))).toBe(true);
  });
});

describe('isValidEndpoint', () => {
  it.each<Case>([
    { case: 'http with a host', input: 'http://localhost:8080', expected: true },
    { case: 'https with a host', input: 'https://example.com/mcp', expected: true },
    { case: 'one character after the scheme', input: 'http://x', expected: true },
    { case: 'a space after the scheme', input: 'http:// ', expected: true },
    { case: 'anything after a valid prefix (no end anchor)', input: 'http://x\n\nrest', expected: true },
    { case: 'a carriage return after the scheme', input: 'http://\r', expected: true },
    { case: 'a line separator after the scheme', input: 'http://\u2028', expected: true },
    { case: 'exactly http://', input: 'http://', expected: false },
    { case: 'exactly https://', input: 'https://', expected: false },
    { case: 'http:// and a newline', input: 'http://\n', expected: false },
    { case: 'a newline right after the scheme', input: 'http://\nhost', expected: false },
    { case: 'an upper-case scheme', input: 'HTTP://host', expected: false },
    { case: 'another scheme', input: 'ftp://host', expected: false },
    { case: 'a leading space', input: ' http://host', expected: false },
    { case: 'a missing slash', input: 'http:/host', expected: false },
    { case: 'the empty string', input: '', expected: false },
  ])('says $expected for $case', ({ input, expected }) => {
    expect(isValidEndpoint(input)).toBe(expected);
  });
});

describe('checkNamespace', () => {
  it.each([
    { case: 'default', input: 'default', expected: undefined },
    { case: 'a trailing newline', input: 'prod\n', expected: undefined },
    { case: '63 characters', input: 'n'.repeat(63), expected: undefined },
    { case: '64 characters', input: 'n'.repeat(64), expected: LEGACY_MESSAGES.namespaceLength },
    {
      case: '63 characters and a newline',
      input: `${'n'.repeat(63)}\n`,
      expected: LEGACY_MESSAGES.namespaceLength,
    },
    { case: 'Prod_NS', input: 'Prod_NS', expected: LEGACY_MESSAGES.namespaceFormat },
    { case: 'the empty string', input: '', expected: LEGACY_MESSAGES.namespaceFormat },
    // The format rule runs first, so a long invalid namespace reports the format message.
    { case: '70 upper-case characters', input: 'N'.repeat(70), expected: LEGACY_MESSAGES.namespaceFormat },
  ])('returns the first failing message for $case', ({ input, expected }) => {
    expect(checkNamespace(input)).toBe(expected);
  });
});

describe('checkAgentName', () => {
  it.each([
    { case: 'a normalised name', input: 'weather-service', expected: undefined },
    { case: '63 characters', input: 'a'.repeat(63), expected: undefined },
    { case: '64 characters', input: 'a'.repeat(64), expected: LEGACY_MESSAGES.agentNameLength },
    { case: 'upper case', input: 'Weather', expected: LEGACY_MESSAGES.agentNameFormat },
    { case: 'a trailing hyphen', input: 'weather-', expected: LEGACY_MESSAGES.agentNameFormat },
    {
      case: '64 characters and invalid',
      input: `-${'a'.repeat(63)}`,
      expected: LEGACY_MESSAGES.agentNameFormat,
    },
  ])('returns the first failing message for $case', ({ input, expected }) => {
    expect(checkAgentName(input)).toBe(expected);
  });
});
