import { describe, expect, it } from 'vitest';
import {
  MAX_NESTING_DEPTH,
  PythonLiteralError,
  parsePythonLiteral,
  parseStoredValue,
} from '../../src/storage/sqlite/python-literal.js';

/** Runs the parser on input that must fail and returns the error. */
function failure(text: string): PythonLiteralError {
  try {
    parsePythonLiteral(text);
  } catch (error) {
    if (error instanceof PythonLiteralError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parsePythonLiteral', () => {
  describe('scalars', () => {
    it.each([
      { text: "'abc'", expected: 'abc' },
      { text: '"abc"', expected: 'abc' },
      { text: "''", expected: '' },
      { text: '""', expected: '' },
      { text: '"it\'s"', expected: "it's" },
      { text: '\'say "hi"\'', expected: 'say "hi"' },
      { text: "'héllo ✓ 😀'", expected: 'héllo ✓ 😀' },
      { text: "u'unicode prefix'", expected: 'unicode prefix' },
      { text: "U'unicode prefix'", expected: 'unicode prefix' },
      { text: 'True', expected: true },
      { text: 'False', expected: false },
      { text: 'None', expected: null },
      { text: '0', expected: 0 },
      { text: '00', expected: 0 },
      { text: '42', expected: 42 },
      { text: '-42', expected: -42 },
      { text: '+42', expected: 42 },
      { text: '- 7', expected: -7 },
      { text: '1_000_000', expected: 1_000_000 },
      { text: '0x1F', expected: 31 },
      { text: '0X_ff', expected: 255 },
      { text: '0o17', expected: 15 },
      { text: '0b1010', expected: 10 },
      { text: '-0x10', expected: -16 },
      { text: '1.5', expected: 1.5 },
      { text: '.5', expected: 0.5 },
      { text: '5.', expected: 5 },
      { text: '1e5', expected: 100000 },
      { text: '1E-3', expected: 0.001 },
      { text: '2.5e+2', expected: 250 },
      { text: '1_0.2_5', expected: 10.25 },
      { text: '0123.5', expected: 123.5 },
      { text: '-1.25', expected: -1.25 },
      { text: '1e400', expected: Number.POSITIVE_INFINITY },
    ])('reads $text as $expected', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toBe(expected);
    });

    it('keeps the sign of a negative zero float but not of a negative zero int', () => {
      expect(Object.is(parsePythonLiteral('-0.0'), -0)).toBe(true);
      expect(Object.is(parsePythonLiteral('-0'), 0)).toBe(true);
    });

    it.each([
      { text: '9007199254740993', expected: 9007199254740992 },
      { text: '123456789012345678901234567890', expected: 1.2345678901234568e29 },
      { text: '-18446744073709551617', expected: -18446744073709552000 },
    ])('rounds the big int $text to the nearest double', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toBe(expected);
    });
  });

  describe('string escapes', () => {
    it.each([
      { name: 'newline', text: String.raw`'a\nb'`, expected: 'a\nb' },
      { name: 'tab', text: String.raw`'a\tb'`, expected: 'a\tb' },
      { name: 'carriage return', text: String.raw`'a\rb'`, expected: 'a\rb' },
      { name: 'backslash', text: String.raw`'a\\b'`, expected: 'a\\b' },
      { name: 'single quote', text: String.raw`'it\'s'`, expected: "it's" },
      { name: 'double quote', text: String.raw`"say \"hi\""`, expected: 'say "hi"' },
      { name: 'bell', text: String.raw`'\a'`, expected: '\x07' },
      { name: 'backspace', text: String.raw`'\b'`, expected: '\b' },
      { name: 'form feed', text: String.raw`'\f'`, expected: '\f' },
      { name: 'vertical tab', text: String.raw`'\v'`, expected: '\v' },
      { name: 'two-digit hex', text: String.raw`'\x41\x00\xff'`, expected: 'A\x00\xff' },
      { name: 'four-digit unicode', text: String.raw`'\u00e9\u2713'`, expected: 'é✓' },
      { name: 'eight-digit unicode', text: String.raw`'\U0001F600'`, expected: '😀' },
      { name: 'lone surrogate', text: String.raw`'\ud800'`, expected: '\ud800' },
      { name: 'one-digit octal', text: String.raw`'\0'`, expected: '\0' },
      { name: 'three-digit octal', text: String.raw`'\101\1010'`, expected: 'AA0' },
      { name: 'octal above 0o377', text: String.raw`'\777'`, expected: '\u01ff' },
      { name: 'line continuation', text: "'ab\\\ncd'", expected: 'abcd' },
      { name: 'CRLF line continuation', text: "'ab\\\r\ncd'", expected: 'abcd' },
      { name: 'unknown escape kept verbatim', text: String.raw`'\d\q'`, expected: '\\d\\q' },
    ])('decodes the $name escape', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toBe(expected);
    });

    it.each([
      { text: String.raw`r'a\nb'`, expected: 'a\\nb' },
      { text: String.raw`R"C:\path\x"`, expected: 'C:\\path\\x' },
      { text: String.raw`r'it\'s'`, expected: "it\\'s" },
      { text: "r'a\\\nb'", expected: 'a\\\nb' },
    ])('leaves backslashes of the raw string $text as they are', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toBe(expected);
    });

    it.each([
      { text: "'''a'b\"c'''", expected: 'a\'b"c' },
      { text: '"""line1\nline2"""', expected: 'line1\nline2' },
      { text: "'''crlf\r\nand cr\r'''", expected: 'crlf\nand cr\n' },
      { text: String.raw`'''esc\'\n'''`, expected: "esc'\n" },
      { text: "''''quoted' '''", expected: "'quoted' " },
    ])('reads the triple-quoted string $text', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toBe(expected);
    });

    it.each([
      { text: `'a' 'b'`, expected: 'ab' },
      { text: `'a'"b"'''c'''`, expected: 'abc' },
      { text: `['a'\n 'b', 'c']`, expected: ['ab', 'c'] },
      { text: `{'k' 'ey': 'val' u'ue'}`, expected: { key: 'value' } },
      { text: String.raw`'a\n' r'\n'`, expected: 'a\n\\n' },
    ])('concatenates the adjacent string literals of $text', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toEqual(expected);
    });
  });

  describe('containers', () => {
    it.each([
      { text: '[]', expected: [] },
      { text: '{}', expected: {} },
      { text: '()', expected: [] },
      { text: "['auth_service']", expected: ['auth_service'] },
      { text: "['a', 'b',]", expected: ['a', 'b'] },
      { text: '(1, 2)', expected: [1, 2] },
      { text: '(1,)', expected: [1] },
      { text: '(1)', expected: 1 },
      { text: "(('x'))", expected: 'x' },
      { text: '([1], (2,), ())', expected: [[1], [2], []] },
      { text: "{'env': 'prod'}", expected: { env: 'prod' } },
      { text: "{'a': 1, 'b': [True, None], }", expected: { a: 1, b: [true, null] } },
      { text: "{'x': {'y': {'z': (1, 2.5, -3)}}}", expected: { x: { y: { z: [1, 2.5, -3] } } } },
      { text: "[{}, [], {'k': []}]", expected: [{}, [], { k: [] }] },
      { text: ' \t\n[ 1 ,\n\t2 ] \n', expected: [1, 2] },
      { text: '[1, # first\n 2]  # trailing comment', expected: [1, 2] },
      { text: '[1, \\\n 2]', expected: [1, 2] },
    ])('reads $text', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toEqual(expected);
    });

    it('reads what the Python registry wrote for an agent', () => {
      const annotations =
        "{'original_agent_type': 'mesh-agent', 'registered_via': 'register_with_metadata', " +
        "'timestamp': '2024-01-01T00:00:00Z', 'version': '1.0.0', 'capabilities_count': 2}";
      expect(parsePythonLiteral(annotations)).toEqual({
        original_agent_type: 'mesh-agent',
        registered_via: 'register_with_metadata',
        timestamp: '2024-01-01T00:00:00Z',
        version: '1.0.0',
        capabilities_count: 2,
      });
      const config = "{'retries': 3, 'ratio': 0.75, 'debug': False, 'proxy': None, 'hosts': ('a', 'b')}";
      expect(parsePythonLiteral(config)).toEqual({
        retries: 3,
        ratio: 0.75,
        debug: false,
        proxy: null,
        hosts: ['a', 'b'],
      });
    });

    it.each([
      { text: '{1: "a"}', expected: { 1: 'a' } },
      { text: '{-2: "a"}', expected: { '-2': 'a' } },
      { text: '{1.5: "a"}', expected: { '1.5': 'a' } },
      { text: '{True: "t", False: "f"}', expected: { true: 't', false: 'f' } },
      { text: '{None: "n"}', expected: { null: 'n' } },
    ])('converts the non-string keys of $text to strings as JSON does', ({ text, expected }) => {
      expect(parsePythonLiteral(text)).toEqual(expected);
    });

    it('keeps the first position and the last value of a repeated key, as Python does', () => {
      const value = parsePythonLiteral("{'a': 1, 'b': 2, 'a': 3}");
      expect(value).toEqual({ a: 3, b: 2 });
      expect(Object.keys(value as object)).toEqual(['a', 'b']);
    });

    it('returns ordinary objects', () => {
      const value = parsePythonLiteral("{'a': {'b': 1}}") as { a: object };
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype);
    });
  });

  describe('prototype safety', () => {
    it.each([
      "{'__proto__': {'polluted': True}}",
      "{'__proto__': 'x'}",
      "[{'constructor': {'prototype': {'polluted': True}}}]",
      '{"__proto__": {"polluted": True}, "a": 1}',
    ])('keeps the keys of %s as own properties without touching any prototype', (text) => {
      const value = parsePythonLiteral(text);
      const object = (Array.isArray(value) ? value[0] : value) as Record<string, unknown>;
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((object as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('stores a __proto__ key as data', () => {
      const value = parsePythonLiteral("{'__proto__': {'polluted': True}}") as Record<string, unknown>;
      expect(Object.hasOwn(value, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
      expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true}}');
    });
  });

  describe('nesting', () => {
    it('reads nesting up to the depth limit', () => {
      const depth = MAX_NESTING_DEPTH;
      let value = parsePythonLiteral(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      let levels = 0;
      while (Array.isArray(value) && value.length > 0) {
        value = value[0];
        levels += 1;
      }
      expect(levels).toBe(depth - 1);
    });

    it.each([
      { name: 'unclosed brackets', text: '['.repeat(100_000) },
      { name: 'balanced brackets', text: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
      { name: 'mixed containers', text: "{'a': (".repeat(50_000) },
      {
        name: 'one level too many',
        text: `${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}`,
      },
    ])('rejects $name beyond the depth limit with an error instead of a crash', ({ text }) => {
      const error = failure(text);
      expect(error.message).toContain(`nesting is deeper than ${MAX_NESTING_DEPTH} levels`);
      expect(error.offset).toBeLessThanOrEqual(text.length);
      expect(text[error.offset]).toMatch(/[[({]/);
    });

    it('parses 100,000 nested brackets in parseStoredValue without a crash', () => {
      expect(() => parseStoredValue('['.repeat(100_000))).toThrow(PythonLiteralError);
    });
  });

  describe('errors', () => {
    it.each([
      { text: '', offset: 0, message: 'unexpected end of input' },
      { text: '   ', offset: 3, message: 'unexpected end of input' },
      { text: "'abc", offset: 0, message: 'unterminated string literal' },
      { text: "['a', 'b", offset: 6, message: 'unterminated string literal' },
      { text: "'a\nb'", offset: 0, message: 'line break inside' },
      { text: "'''abc''", offset: 0, message: 'unterminated string literal' },
      { text: "'abc\\", offset: 0, message: 'unterminated string literal' },
      { text: String.raw`'ab\x4'`, offset: 3, message: String.raw`truncated \xXX escape` },
      { text: String.raw`'ab\xZZ'`, offset: 3, message: String.raw`truncated \xXX escape` },
      { text: String.raw`'\u12'`, offset: 1, message: String.raw`truncated \uXXXX escape` },
      { text: String.raw`'\U0001F60'`, offset: 1, message: String.raw`truncated \UXXXXXXXX escape` },
      { text: String.raw`'\U00110000'`, offset: 1, message: 'illegal Unicode character' },
      { text: String.raw`'\N{BULLET}'`, offset: 1, message: 'named Unicode escapes are not supported' },
      { text: "b'bytes'", offset: 0, message: 'bytes literals are not supported' },
      { text: "['ok', rb'x']", offset: 7, message: 'bytes literals are not supported' },
      { text: "f'{x}'", offset: 0, message: 'f-strings and t-strings are code' },
      { text: "'a' b'c'", offset: 4, message: 'bytes literals are not supported' },
      { text: '[1, 2', offset: 5, message: "'[' opened at offset 0 is not closed" },
      { text: "{'a': (1, ", offset: 10, message: "'(' opened at offset 6 is not closed" },
      { text: "{'a': 1", offset: 7, message: "'{' opened at offset 0 is not closed" },
      { text: '[1 2]', offset: 3, message: "expected ',' or ']' but found \"2\"" },
      { text: '(1 2)', offset: 3, message: "expected ',' or ')'" },
      { text: "{'a' 1}", offset: 5, message: "expected ':'" },
      { text: "{'a': 1 'b': 2}", offset: 8, message: "expected ',' or '}'" },
      { text: '[1,,2]', offset: 3, message: 'unexpected ",", expected a value' },
      { text: '[,]', offset: 1, message: 'unexpected ",", expected a value' },
      { text: '(,)', offset: 1, message: 'unexpected ",", expected a value' },
      { text: "{'a': }", offset: 6, message: 'unexpected "}", expected a value' },
      { text: '{:1}', offset: 1, message: 'unexpected ":", expected a value' },
      { text: '[1]]', offset: 3, message: 'after the value' },
      { text: '1 2', offset: 2, message: 'after the value' },
      { text: '1 + 1', offset: 2, message: 'after the value' },
      { text: "'a'.upper()", offset: 3, message: 'after the value' },
      { text: '{1, 2}', offset: 0, message: 'set literals are not supported' },
      { text: "[{'a'}]", offset: 1, message: 'set literals are not supported' },
      { text: '{(1, 2): 3}', offset: 1, message: 'dict keys must be strings, numbers, booleans or None' },
      { text: '{[1]: 3}', offset: 1, message: 'dict keys must be strings, numbers, booleans or None' },
      { text: 'set()', offset: 0, message: "calls are not allowed: 'set(...)'" },
      { text: 'frozenset([1])', offset: 0, message: 'calls are not allowed' },
      { text: 'dict(a=1)', offset: 0, message: 'calls are not allowed' },
      { text: 'true', offset: 0, message: "'true' is not a literal" },
      { text: 'null', offset: 0, message: "'null' is not a literal" },
      { text: '[inf]', offset: 1, message: "'inf' is not a literal" },
      { text: 'nan', offset: 0, message: "'nan' is not a literal" },
      { text: '-inf', offset: 0, message: "'-' must be followed by a number literal" },
      { text: '--1', offset: 0, message: "'-' must be followed by a number literal" },
      { text: '-True', offset: 0, message: "'-' must be followed by a number literal" },
      { text: '...', offset: 0, message: 'unexpected ".", expected a value' },
      { text: '0123', offset: 0, message: 'leading zeros in decimal integer literals are not permitted' },
      { text: '1__0', offset: 1, message: 'invalid number literal' },
      { text: '1_', offset: 1, message: 'invalid number literal' },
      { text: '12abc', offset: 2, message: 'invalid number literal' },
      { text: '0x', offset: 0, message: 'invalid number literal' },
      { text: '0b102', offset: 4, message: 'invalid number literal' },
      { text: '1e', offset: 1, message: 'invalid exponent' },
      { text: '1e+', offset: 1, message: 'invalid exponent' },
      { text: '1j', offset: 0, message: 'complex numbers are not supported' },
      { text: '[1, 2.5J]', offset: 4, message: 'complex numbers are not supported' },
      { text: '1'.repeat(4301), offset: 0, message: 'more than 4300 digits' },
      { text: `1${'0'.repeat(400)}`, offset: 0, message: 'integer literal is too large' },
      { text: '\u00a0 1', offset: 0, message: 'unexpected "\u00a0"' },
    ])('rejects $text at offset $offset', ({ text, offset, message }) => {
      const error = failure(text);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('PythonLiteralError');
      expect(error.offset).toBe(offset);
      expect(error.message).toContain(message);
      expect(error.message).toContain(`at offset ${offset}`);
    });
  });

  describe('code is never run', () => {
    it.each([
      "__import__('os').system('x')",
      "__import__('os').system('touch /tmp/pwned')",
      "exec('import os')",
      "eval('1')",
      "open('/etc/passwd').read()",
      'globals()',
      'lambda: 1',
      '[x for x in range(3)]',
      "{'a': __import__('os')}",
      "['ok', print('x')]",
      "{**{'a': 1}}",
      '[*range(3)]',
      '(yield)',
      "'a' if True else 'b'",
      'not True',
      '1 if 1 else 2',
      '().__class__.__bases__[0].__subclasses__()',
      'os.system',
      'f\'{__import__("os").system("x")}\'',
    ])('rejects the code %s', (text) => {
      expect(() => parsePythonLiteral(text)).toThrow(PythonLiteralError);
    });

    it('points at the name that starts a call', () => {
      const error = failure("{'cmd': __import__('os').system('x')}");
      expect(error.offset).toBe(8);
      expect(error.message).toContain("calls are not allowed: '__import__(...)'");
    });
  });
});

describe('parseStoredValue', () => {
  it.each([
    { text: null, expected: null },
    { text: '{"env": "prod"}', expected: { env: 'prod' } },
    { text: '["auth_service"]', expected: ['auth_service'] },
    { text: '{"a": true, "b": null, "c": [1.5]}', expected: { a: true, b: null, c: [1.5] } },
    { text: "{'env': 'prod'}", expected: { env: 'prod' } },
    { text: "['auth_service']", expected: ['auth_service'] },
    { text: "{'a': True, 'b': None, 'c': (1.5,)}", expected: { a: true, b: null, c: [1.5] } },
    { text: '{}', expected: {} },
    { text: '[]', expected: [] },
    { text: '"text"', expected: 'text' },
    { text: "'text'", expected: 'text' },
  ])('reads the stored text $text as JSON or as a Python literal', ({ text, expected }) => {
    expect(parseStoredValue(text)).toEqual(expected);
  });

  it('keeps a JSON __proto__ key as an own property', () => {
    const value = parseStoredValue('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each(["__import__('os').system('x')", '', '{"a": tru}', "{'a': true}"])(
    'throws a PythonLiteralError for %j, which is neither JSON nor a Python literal',
    (text) => {
      expect(() => parseStoredValue(text)).toThrow(PythonLiteralError);
    },
  );
});
