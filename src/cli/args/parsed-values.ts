/**
 * The TypeScript type of what `parseArgs` returns for a parser, derived from its declaration in the
 * command table (declared `as const`), so a command's argument type is never written a second time.
 * It mirrors argparse.ts: a flag is a boolean (false when absent), an int a number, a choice one of
 * its choices, anything else a string; an option without a default may be undefined; a `'*'`
 * positional is a list, a `1` positional one string.
 */
import type { OptionSpec, ParserSpec, PositionalSpec } from './parser-spec.js';

type OptionValue<O extends OptionSpec> = O['kind'] extends 'flag'
  ? boolean
  : O['kind'] extends 'int'
    ? number
    : O extends { kind: 'choice'; choices: readonly (infer C)[] }
      ? C
      : string;

type OptionField<O extends OptionSpec> = O['kind'] extends 'flag'
  ? boolean
  : O extends { default: unknown }
    ? OptionValue<O>
    : OptionValue<O> | undefined;

type PositionalField<P extends PositionalSpec> = P['nargs'] extends '*' ? string[] : string;

type OwnValues<P extends ParserSpec> = {
  -readonly [O in P['options'][number] as O['dest']]: OptionField<O>;
} & {
  -readonly [Q in P['positionals'][number] as Q['dest']]: PositionalField<Q>;
};

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (
  value: infer I,
) => void
  ? I
  : never;

/**
 * A parser's values. With sub-commands, the chosen word under their dest (undefined when none was
 * given) and every sub-parser's values, each possibly absent since only one sub-parser ran.
 */
export type ParsedValues<P extends ParserSpec> = OwnValues<P> &
  (P['subcommands'] extends { dest: infer D extends string; commands: readonly (infer C)[] }
    ? { [K in D]?: C extends { name: infer N } ? N : never } & Partial<
        UnionToIntersection<C extends { parser: infer S extends ParserSpec } ? OwnValues<S> : never>
      >
    : unknown);
