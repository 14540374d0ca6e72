import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../src/mesh/names.js';

describe('normalizeName', () => {
  it.each([
    // The examples of spec 4.4.2.
    { raw: 'file_agent_7f3a9c2e', expected: 'file-agent-7f3a9c2e' },
    { raw: 'Weather Service', expected: 'weather-service' },
    { raw: 'File_Agent.01', expected: 'file-agent-01' },
    { raw: '___', expected: 'agent' },
    { raw: '', expected: 'agent' },
    { raw: 'Ünïcode Agent', expected: 'n-code-agent' },
  ])('normalises $raw to $expected as in the spec examples', ({ raw, expected }) => {
    expect(normalizeName(raw)).toBe(expected);
  });

  it.each([
    { raw: 'mesh-agent', expected: 'mesh-agent' },
    { raw: 'MESH_AGENT', expected: 'mesh-agent' },
    { raw: '--a--b--', expected: 'a-b' },
    { raw: 'a - _ . b', expected: 'a-b' },
    { raw: '-', expected: 'agent' },
    { raw: '   ', expected: 'agent' },
    { raw: '日本語', expected: 'agent' },
    { raw: 'a😀b', expected: 'a-b' },
    { raw: 'a\nb', expected: 'a-b' },
    { raw: 'a\ud800b', expected: 'a-b' },
    { raw: '123', expected: '123' },
    { raw: 'ÀB', expected: 'b' },
    // Unicode lower-casing can produce ASCII letters: KELVIN SIGN → k, İ → i + combining dot.
    { raw: '\u212a9', expected: 'k9' },
    { raw: 'İd', expected: 'i-d' },
  ])('normalises $raw to $expected', ({ raw, expected }) => {
    expect(normalizeName(raw)).toBe(expected);
  });

  it('does not limit the length, leaving the 63-character rule to validation', () => {
    expect(normalizeName('A'.repeat(70))).toBe('a'.repeat(70));
  });
});
