import { describe, expect, it } from 'vitest';
import {
  PyFloat,
  PyTuple,
  pyJson,
  pyStr,
  stringRepr,
  titleCase,
} from '../../../src/cli/output/python-values.js';
import { floatRepr, formatFixed } from '../../../src/shared/python/python-float.js';

describe('Python value rendering (cli.md Appendix A)', () => {
  it.each([
    [14, '14.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0.000015, '1.5e-05'],
    [1e16, '1e+16'],
    [123456789012345.6, '123456789012345.6'],
    [12.345678, '12.345678'],
    [-2.5, '-2.5'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NaN, 'nan'],
  ])('writes float %s as %s', (value, text) => {
    expect(floatRepr(value)).toBe(text);
  });

  it.each([
    [0.25, '0.2'],
    [0.35, '0.3'],
    [0.05, '0.1'],
    [2.675, '2.7'],
    [12.25, '12.2'],
    [12.35, '12.3'],
    [0, '0.0'],
    [59.96, '60.0'],
  ])('formats %s with .1f as %s, rounding the exact binary value half to even', (value, text) => {
    expect(formatFixed(value)).toBe(text);
  });

  it('quotes strings as repr does', () => {
    expect(stringRepr('plain')).toBe("'plain'");
    expect(stringRepr("it's")).toBe('"it\'s"');
    expect(stringRepr('both \' and "')).toBe("'both \\' and \"'");
    expect(stringRepr('line\nnext\t\\')).toBe("'line\\nnext\\t\\\\'");
    expect(stringRepr('\x01é\u2028')).toBe("'\\x01é\\u2028'");
  });

  it('renders containers with repr inside and str outside', () => {
    expect(pyStr({ status: 'unknown', size: 0, ok: true, none: null })).toBe(
      "{'status': 'unknown', 'size': 0, 'ok': True, 'none': None}",
    );
    expect(pyStr([new PyTuple('bad', 'boom\n'), new PyTuple('x')])).toBe("[('bad', 'boom\\n'), ('x',)]");
    expect(pyStr(new PyFloat(3))).toBe('3.0');
    expect(pyStr(false)).toBe('False');
  });

  it('writes JSON as json.dumps(indent=2) does', () => {
    expect(pyJson({ b: [], a: {}, u: new PyFloat(1), s: 'é"\n', n: [1, { x: null }] })).toBe(
      '{\n  "b": [],\n  "a": {},\n  "u": 1.0,\n  "s": "\\u00e9\\"\\n",\n  "n": [\n    1,\n    {\n      "x": null\n    }\n  ]\n}',
    );
    expect(pyJson({ b: 1, a: 2 }, { sortKeys: true })).toBe('{\n  "a": 2,\n  "b": 1\n}');
    expect(pyJson('\u{1f7e2}')).toBe('"\\ud83d\\udfe2"');
  });

  it('title-cases as str.title does', () => {
    expect(titleCase('healthy')).toBe('Healthy');
    expect(titleCase('un_known')).toBe('Un_Known');
    expect(titleCase('HEALTH check')).toBe('Health Check');
  });
});
