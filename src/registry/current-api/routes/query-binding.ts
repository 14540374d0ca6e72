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
