import { Type } from 'typebox';

/** The Go registry's answer to a query parameter it cannot bind: 400 `{"msg": …}`. */
export const BindErrorReply = Type.Object({ msg: Type.String() });

/**
 * An optional integer query parameter, bound as the Go registry binds it (`strconv.ParseInt`,
 * 64 bits): its value, undefined when absent, or the text of its bind error.
 */
export function bindInteger(name: string, raw: string | undefined): number | undefined | string {
  if (raw === undefined) return undefined;
  const invalid = (reason: string) =>
    `Invalid format for parameter ${name}: error binding string parameter: strconv.ParseInt: parsing ${JSON.stringify(raw)}: ${reason}`;
  if (!/^[+-]?\d+$/.test(raw)) return invalid('invalid syntax');
  const value = BigInt(raw);
  if (value > 9223372036854775807n || value < -9223372036854775808n) return invalid('value out of range');
  return Number(value);
}

/**
 * The Go registry's bind error for the first of `names` that the query string of `url` repeats
 * (each is a single-value parameter), or undefined when none is repeated.
 */
export function repeatedParameterError(url: string, names: readonly string[]): string | undefined {
  const start = url.indexOf('?');
  if (start === -1) return undefined;
  const query = new URLSearchParams(url.slice(start + 1));
  const repeated = names.find((name) => query.getAll(name).length > 1);
  return repeated === undefined
    ? undefined
    : `Invalid format for parameter ${repeated}: multiple values for single value parameter '${repeated}'`;
}
