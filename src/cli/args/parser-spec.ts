/** The shape of a command table: what `argparse.ArgumentParser` declarations hold (cli.md §1). */

export interface OptionSpec {
  /** Long flag, e.g. `--registry-port`; `-h/--help` is implicit in every parser. */
  flag: string;
  /** Property name in the parsed result. */
  dest: string;
  kind: 'flag' | 'int' | 'string' | 'choice';
  choices?: readonly string[];
  /** Shown in usage and help; argparse's default is the upper-cased dest. */
  metavar?: string;
  help: string;
  /** Value when absent (argparse `default`). Flags default to false, others to undefined. */
  default?: unknown;
}

export interface PositionalSpec {
  /** Shown in usage, help and "required" errors (argparse dest/metavar). */
  name: string;
  dest: string;
  /** `'*'`: zero or more (a list); `1`: exactly one. */
  nargs: '*' | 1;
  help: string;
  choices?: readonly string[];
}

export interface SubcommandsSpec {
  dest: string;
  metavar: string;
  title: string;
  commands: readonly { name: string; help: string; parser: ParserSpec }[];
}

export interface ParserSpec {
  /** Program name as argparse renders it: `mcp_mesh_dev`, `mcp_mesh_dev config show`. */
  prog: string;
  description?: string;
  epilog?: string;
  /** Top level only: `--version` prints this and exits 0. */
  version?: string;
  options: readonly OptionSpec[];
  positionals: readonly PositionalSpec[];
  subcommands?: SubcommandsSpec;
}

/** The result of parsing: dests to values, the chosen command words in `commandPath`. */
export interface ParsedArgs {
  commandPath: string[];
  values: Record<string, unknown>;
}
