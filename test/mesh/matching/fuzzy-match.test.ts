import { describe, expect, it } from 'vitest';
import { isFuzzyMatch, levenshtein } from '../../../src/mesh/matching/fuzzy-match.js';

describe('levenshtein', () => {
  it.each([
    { a: '', b: '', expected: 0 },
    { a: '', b: 'abc', expected: 3 },
    { a: 'abc', b: '', expected: 3 },
    { a: 'abc', b: 'abc', expected: 0 },
    { a: 'kitten', b: 'sitting', expected: 3 },
    { a: 'flaw', b: 'lawn', expected: 2 },
    { a: 'get_forcast', b: 'get_forecast', expected: 1 },
    { a: 'forcast', b: 'get_forecast', expected: 5 },
    { a: 'abc', b: 'ABC', expected: 3 },
    // Per code point: an astral character is one edit, not two UTF-16 units.
    { a: '😀', b: '😃', expected: 1 },
    { a: 'a😀', b: 'a', expected: 1 },
  ])('gives distance $expected between $a and $b', ({ a, b, expected }) => {
    expect(levenshtein(a, b)).toBe(expected);
    expect(levenshtein(b, a)).toBe(expected);
  });
});

describe('isFuzzyMatch', () => {
  it.each([
    // Spec 5.1 examples.
    { query: 'get_forcast', name: 'get_forecast', expected: true },
    { query: 'forcast', name: 'get_forecast', expected: false },
    { query: 'file', name: 'read_file', expected: true },
    // Empty input never matches, not even itself.
    { query: '', name: 'read_file', expected: false },
    { query: 'file', name: '', expected: false },
    { query: '', name: '', expected: false },
    // Case-insensitive equality and substring.
    { query: 'READ_FILE', name: 'read_file', expected: true },
    { query: 'File', name: 'READ_FILE', expected: true },
    { query: 'ÉCRIRE', name: 'écrire_fichier', expected: true },
    // Substring only in one direction; the reverse falls through to the ratio.
    { query: 'read_file', name: 'file', expected: false },
    // Ratio boundary: d = 3, max length 10 → exactly 0.7 → match; d = 4 → 0.6 → no match.
    { query: 'abcdefghij', name: 'abcdefgxyz', expected: true },
    { query: 'abcdefghij', name: 'abcdefwxyz', expected: false },
    // d = 7 over 20 → 0.65 → no match.
    { query: 'abcdefghijklmnopqrst', name: 'abcdefghijklmXXXXXXX', expected: false },
    // Lengths are counted in code points: 'ab😀' vs 'ab😃' is d = 1 over 3 → 0.667 → no match.
    { query: 'ab😀', name: 'ab😃', expected: false },
    { query: 'abc😀', name: 'abc😃', expected: true },
  ])('says $expected for query $query against $name', ({ query, name, expected }) => {
    expect(isFuzzyMatch(query, name)).toBe(expected);
  });
});
