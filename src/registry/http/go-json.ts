import { compareCodePoints } from '../../mesh/resolution/semver-constraint.js';

/** What Go's encoder escapes beyond JSON.stringify: HTML-significant characters and two line separators. */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

function goString(text: string): string {
  // Go's decoder has already replaced lone surrogates with U+FFFD in anything it echoes.
  return JSON.stringify(text.toWellFormed()).replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!);
}

/**
 * JSON text as the Go registry's encoder (`encoding/json`, through gin) writes a decoded JSON
 * value: object keys in byte order at every level (Go sorts map keys; the generated reply structs
 * written with it have their fields in that order too), `<`, `>`, `&`, U+2028 and U+2029 escaped,
 * `-0` kept. Numbers are otherwise written as JavaScript writes them, which is Go's shortest form
 * for float64 (`1e+21`, `1e-7`). `undefined` members are left out, as JSON.stringify does.
 */
export function goJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goString(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(goJsonText).join(',')}]`;
      const object = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(object).sort(compareCodePoints)) {
        if (object[key] !== undefined) members.push(`${goString(key)}:${goJsonText(object[key])}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      return 'null';
  }
}
