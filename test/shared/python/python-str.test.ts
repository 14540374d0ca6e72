import { describe, expect, it } from 'vitest';
import { isPythonSpace, pythonStrip } from '../../../src/shared/python/python-str.js';

describe('isPythonSpace', () => {
  it.each([
    { char: '\t', code: 0x09 },
    { char: '\n', code: 0x0a },
    { char: '\v', code: 0x0b },
    { char: '\f', code: 0x0c },
    { char: '\r', code: 0x0d },
    { char: 'file separator', code: 0x1c },
    { char: 'unit separator', code: 0x1f },
    { char: 'space', code: 0x20 },
    { char: 'NEL', code: 0x85 },
    { char: 'no-break space', code: 0xa0 },
    { char: 'ogham space mark', code: 0x1680 },
    { char: 'em space', code: 0x2003 },
    { char: 'line separator', code: 0x2028 },
    { char: 'narrow no-break space', code: 0x202f },
    { char: 'ideographic space', code: 0x3000 },
  ])('treats $char as whitespace like str.isspace()', ({ code }) => {
    expect(isPythonSpace(code)).toBe(true);
  });

  it.each([
    { char: 'BOM', code: 0xfeff },
    { char: 'zero-width space', code: 0x200b },
    { char: 'letter a', code: 0x61 },
    { char: 'NUL', code: 0x00 },
    { char: 'mongolian vowel separator', code: 0x180e },
  ])('does not treat $char as whitespace', ({ code }) => {
    expect(isPythonSpace(code)).toBe(false);
  });
});

describe('pythonStrip', () => {
  it.each([
    { input: '  a b  ', expected: 'a b' },
    { input: '\t\n a \r\n', expected: 'a' },
    { input: '\u3000\u0085a\u001c', expected: 'a' },
    { input: '\ufeffa\ufeff', expected: '\ufeffa\ufeff' },
    { input: '\u200ba', expected: '\u200ba' },
    { input: '   ', expected: '' },
    { input: '', expected: '' },
    { input: ' 😀 ', expected: '😀' },
  ])('strips $input to $expected with Python str.strip() semantics', ({ input, expected }) => {
    expect(pythonStrip(input)).toBe(expected);
  });
});
