/**
 * Command-line parsing with Python 3.11 argparse semantics (cli.md §1.4): unambiguous prefixes of
 * long options, `--opt=value`, negative numbers as values, one contiguous run per positional list,
 * Python `int()` conversion, and argparse's error texts and exit codes. Commander cannot express
 * prefix abbreviations or these messages, so the parser is ours; the command table stays data.
 */
import { parsePythonInt } from '../../shared/python/python-int.js';
import { stringRepr } from '../output/python-values.js';
import { formatHelp, formatUsage } from './help-format.js';
import type { OptionSpec, ParsedArgs, ParserSpec, PositionalSpec } from './parser-spec.js';

/** What the parser decided instead of returning arguments: text to print and an exit code. */
export interface ParseExit {
  stdout: string;
  stderr: string;
  exitCode: number;
}

class ArgumentError extends Error {
  constructor(
    readonly parser: ParserSpec,
    message: string,
  ) {
    super(message);
  }
}

class EarlyExit extends Error {
  constructor(readonly result: ParseExit) {
    super('exit');
  }
}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

function isOptionLike(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-' && !NEGATIVE_NUMBER.test(arg);
}

type Matched = { kind: 'help' } | { kind: 'version' } | { kind: 'option'; option: OptionSpec };

/** Long-option lookup with argparse's prefix rule; undefined means "not ours" (an extra). */
function matchOption(parser: ParserSpec, name: string, arg: string): Matched | undefined {
  const table: [string, Matched][] = [
    ['-h', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ...(parser.version === undefined ? [] : ([['--version', { kind: 'version' }]] as [string, Matched][])),
    ...parser.options.map((option): [string, Matched] => [option.flag, { kind: 'option', option }]),
  ];
  const exact = table.find(([flag]) => flag === name);
  if (exact) return exact[1];
  if (!name.startsWith('--')) return undefined;
  const candidates = table.filter(([flag]) => flag.startsWith('--') && flag.startsWith(name));
  if (candidates.length > 1) {
    const list = candidates.map(([flag]) => flag).join(', ');
    throw new ArgumentError(parser, `ambiguous option: ${arg} could match ${list}`);
  }
  return candidates[0]?.[1];
}

function convertValue(parser: ParserSpec, option: OptionSpec, raw: string): unknown {
  if (option.kind === 'int') {
    const value = parsePythonInt(raw);
    if (value === undefined)
      throw new ArgumentError(parser, `argument ${option.flag}: invalid int value: ${stringRepr(raw)}`);
    return value;
  }
  if (option.kind === 'choice' && !option.choices?.includes(raw)) {
    const choices = (option.choices ?? []).map(stringRepr).join(', ');
    throw new ArgumentError(
      parser,
      `argument ${option.flag}: invalid choice: ${stringRepr(raw)} (choose from ${choices})`,
    );
  }
  return raw;
}

interface ParseState {
  values: Record<string, unknown>;
  extras: string[];
  commandPath: string[];
}

/** One parser's `parse_known_args`: fills `state`, leaving arguments it does not know in extras. */
function parseKnown(parser: ParserSpec, args: readonly string[], state: ParseState): void {
  for (const option of parser.options)
    state.values[option.dest] ??= option.default ?? (option.kind === 'flag' ? false : undefined);
  const pending: PositionalSpec[] = [...parser.positionals];
  let afterDoubleDash = false;
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--' && !afterDoubleDash) {
      afterDoubleDash = true;
      i++;
      continue;
    }
    if (!afterDoubleDash && isOptionLike(arg)) {
      i = consumeOption(parser, args, i, state);
      continue;
    }
    // A run of positional arguments, up to the next option.
    let end = i;
    while (end < args.length && (afterDoubleDash || !isOptionLike(args[end]!))) end++;
    if (pending.length === 0 && parser.subcommands && !state.values[parser.subcommands.dest]) {
      parseSubcommand(parser, args, i, state);
      return;
    }
    let cursor = i;
    while (pending.length > 0 && cursor < end) {
      const positional = pending.shift()!;
      if (positional.nargs === '*') {
        state.values[positional.dest] = args.slice(cursor, end);
        cursor = end;
      } else {
        state.values[positional.dest] = args[cursor];
        cursor++;
      }
    }
    if (cursor < end && parser.subcommands && pending.length === 0) {
      parseSubcommand(parser, args, cursor, state);
      return;
    }
    state.extras.push(...args.slice(cursor, end));
    i = end;
  }
  const missing = pending.filter((p) => p.nargs !== '*');
  for (const positional of pending) if (positional.nargs === '*') state.values[positional.dest] = [];
  if (missing.length > 0) {
    throw new ArgumentError(
      parser,
      `the following arguments are required: ${missing.map((p) => p.name).join(', ')}`,
    );
  }
}

function consumeOption(parser: ParserSpec, args: readonly string[], i: number, state: ParseState): number {
  const arg = args[i]!;
  const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const name = equals === -1 ? arg : arg.slice(0, equals);
  const explicit = equals === -1 ? undefined : arg.slice(equals + 1);
  const matched = matchOption(parser, name, arg);
  if (!matched) {
    state.extras.push(arg);
    return i + 1;
  }
  if (matched.kind === 'help') throw new EarlyExit({ stdout: formatHelp(parser), stderr: '', exitCode: 0 });
  if (matched.kind === 'version')
    throw new EarlyExit({ stdout: `${parser.version}\n`, stderr: '', exitCode: 0 });
  const { option } = matched;
  if (option.kind === 'flag') {
    if (explicit !== undefined) {
      throw new ArgumentError(
        parser,
        `argument ${option.flag}: ignored explicit argument ${stringRepr(explicit)}`,
      );
    }
    state.values[option.dest] = true;
    return i + 1;
  }
  if (explicit !== undefined) {
    state.values[option.dest] = convertValue(parser, option, explicit);
    return i + 1;
  }
  const next = args[i + 1];
  if (next === undefined || next === '--' || isOptionLike(next)) {
    throw new ArgumentError(parser, `argument ${option.flag}: expected one argument`);
  }
  state.values[option.dest] = convertValue(parser, option, next);
  return i + 2;
}

/** The subcommand word and everything after it belong to the chosen sub-parser (argparse PARSER nargs). */
function parseSubcommand(
  parser: ParserSpec,
  args: readonly string[],
  index: number,
  state: ParseState,
): void {
  const subcommands = parser.subcommands!;
  const word = args[index]!;
  const command = subcommands.commands.find((c) => c.name === word);
  if (!command) {
    const choices = subcommands.commands.map((c) => stringRepr(c.name)).join(', ');
    throw new ArgumentError(
      parser,
      `argument ${subcommands.metavar}: invalid choice: ${stringRepr(word)} (choose from ${choices})`,
    );
  }
  state.values[subcommands.dest] = word;
  state.commandPath.push(word);
  parseKnown(command.parser, args.slice(index + 1), state);
}

/**
 * Parses `argv` against the top-level parser. Returns the parsed arguments, or what argparse would
 * print and the exit code (help/version: stdout, 0; errors: usage and `prog: error: …` on stderr, 2).
 */
export function parseArgs(top: ParserSpec, argv: readonly string[]): ParsedArgs | ParseExit {
  const state: ParseState = { values: {}, extras: [], commandPath: [] };
  try {
    parseKnown(top, argv, state);
    if (state.extras.length > 0)
      throw new ArgumentError(top, `unrecognized arguments: ${state.extras.join(' ')}`);
    return { commandPath: state.commandPath, values: state.values };
  } catch (error) {
    if (error instanceof EarlyExit) return error.result;
    if (error instanceof ArgumentError) {
      return {
        stdout: '',
        stderr: `${formatUsage(error.parser)}${error.parser.prog}: error: ${error.message}\n`,
        exitCode: 2,
      };
    }
    throw error;
  }
}

export function isParseExit(result: ParsedArgs | ParseExit): result is ParseExit {
  return 'exitCode' in result;
}
