import { describe, expect, it } from 'vitest';
import { parsePythonInt } from '../../../src/shared/python/python-int.js';

describe('parsePythonInt', () => {
  it.each([
    { text: '0', expected: 0 },
    { text: '42', expected: 42 },
    { text: '007', expected: 7 },
    { text: '+5', expected: 5 },
    { text: '-5', expected: -5 },
    { text: '-0', expected: 0 },
    { text: ' 20 ', expected: 20 },
    { text: '\t\n 3 \r\v\f', expected: 3 },
    { text: '1_000', expected: 1000 },
    { text: '0_0', expected: 0 },
    { text: '-1_2_3', expected: -123 },
    // Unicode whitespace around the number (Python's str.isspace set).
    { text: '\u20035\u3000', expected: 5 },
    { text: '\u00855\u00a0', expected: 5 },
    // Unicode decimal digits of any script, also mixed.
    { text: '١٢٣', expected: 123 },
    { text: '１２', expected: 12 },
    { text: '1٢3', expected: 123 },
    { text: '०९', expected: 9 },
    // Mathematical digits: five adjacent 0–9 sets (U+1D7CE–U+1D7FF).
    { text: '𝟗𝟘', expected: 90 },
    { text: '\u{1d7ff}\u{1d7f6}', expected: 90 },
    { text: '9007199254740991', expected: Number.MAX_SAFE_INTEGER },
    // Beyond double range Python stays exact; here the value saturates (documented limitation).
    { text: '9'.repeat(4300), expected: Number.POSITIVE_INFINITY },
    { text: `-${'9'.repeat(400)}`, expected: Number.NEGATIVE_INFINITY },
  ])('parses $text like Python int()', ({ text, expected }) => {
    expect(parsePythonInt(text)).toBe(expected);
  });

  it.each([
    { text: '' },
    { text: '   ' },
    { text: '+' },
    { text: '-' },
    { text: '_1' },
    { text: '1_' },
    { text: '1__0' },
    { text: '+_1' },
    { text: '- 5' },
    { text: '+-5' },
    { text: '1.0' },
    { text: '1e3' },
    { text: '0x10' },
    { text: '3-beta' },
    { text: 'abc' },
    { text: '²' },
    { text: '½' },
    { text: '\u22125' },
    { text: '5\u0000' },
    // U+001C–U+001F are str.isspace() but CPython keeps them as ASCII and then rejects them.
    { text: '\u001c5' },
    { text: '5\u001f' },
    // Not whitespace for Python, although JavaScript's trim() removes the BOM.
    { text: '\ufeff5' },
    { text: '\u200b5' },
    // More than 4300 digits (sys.int_info.default_max_str_digits), underscores not counted.
    { text: '0'.repeat(4301) },
    { text: `1${'_1'.repeat(4300)}` },
  ])('rejects $text where Python int() raises ValueError', ({ text }) => {
    expect(parsePythonInt(text)).toBeUndefined();
  });

  it('accepts exactly 4300 digits with a sign in front', () => {
    expect(parsePythonInt(`-${'0'.repeat(4300)}`)).toBe(0);
  });
});
