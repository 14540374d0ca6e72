/** Usage and help text laid out as argparse's HelpFormatter does (only the first usage line is pinned). */
import type { OptionSpec, ParserSpec, PositionalSpec } from './parser-spec.js';

const WIDTH = 78;
const MAX_HELP_POSITION = 24;

function metavarOf(option: OptionSpec): string {
  if (option.kind === 'choice') return `{${(option.choices ?? []).join(',')}}`;
  return option.metavar ?? option.dest.toUpperCase();
}

function optionUsage(option: OptionSpec): string {
  return option.kind === 'flag' ? `[${option.flag}]` : `[${option.flag} ${metavarOf(option)}]`;
}

function positionalUsage(positional: PositionalSpec): string {
  return positional.nargs === '*' ? `[${positional.name} ...]` : positional.name;
}

/** `usage: prog [-h] …` plus a newline, wrapped like argparse when longer than the width. */
export function formatUsage(parser: ParserSpec): string {
  const optionals = ['[-h]', ...(parser.version ? ['[--version]'] : []), ...parser.options.map(optionUsage)];
  const positionals = parser.positionals.map(positionalUsage);
  if (parser.subcommands) positionals.push(`${parser.subcommands.metavar} ...`);
  const prefix = `usage: ${parser.prog} `;
  const oneLine = prefix + [...optionals, ...positionals].join(' ');
  if (oneLine.length <= WIDTH) return `${oneLine}\n`;
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  for (const group of [optionals, positionals]) {
    let line = '';
    for (const part of group) {
      if (line && indent.length + line.length + 1 + part.length > WIDTH) {
        lines.push(line);
        line = part;
      } else {
        line = line ? `${line} ${part}` : part;
      }
    }
    if (line) lines.push(line);
  }
  return `${prefix}${lines.join(`\n${indent}`)}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The help column, shared by every section of one parser as argparse does. */
function helpColumn(entries: [string, string][], indent = 2): number {
  const longest = Math.max(0, ...entries.map(([invocation]) => invocation.length + indent));
  return Math.min(longest + 2, MAX_HELP_POSITION);
}

function formatEntries(entries: [string, string][], helpPosition: number, indent = 2): string {
  let out = '';
  for (const [invocation, help] of entries) {
    const helpLines = wrap(help, WIDTH - helpPosition);
    const head = ' '.repeat(indent) + invocation;
    if (head.length <= helpPosition - 2 && helpLines.length > 0) {
      out += `${head.padEnd(helpPosition)}${helpLines[0]}\n`;
      helpLines.shift();
    } else {
      out += `${head}\n`;
    }
    for (const line of helpLines) out += `${' '.repeat(helpPosition)}${line}\n`;
  }
  return out;
}

/** The full `--help` text of one parser. */
export function formatHelp(parser: ParserSpec): string {
  let out = formatUsage(parser);
  // A one-line description is wrapped; a preformatted one (with its own lines) is kept as written.
  if (parser.description) {
    const text = parser.description.includes('\n')
      ? parser.description
      : wrap(parser.description, WIDTH).join('\n');
    out += `\n${text}\n`;
  }
  const positionals: [string, string][] = parser.positionals.map((p) => [p.name, p.help]);
  const options: [string, string][] = [
    ['-h, --help', 'show this help message and exit'],
    ...(parser.version
      ? ([['--version', "show program's version number and exit"]] as [string, string][])
      : []),
    ...parser.options.map((o): [string, string] => [
      o.kind === 'flag' ? o.flag : `${o.flag} ${metavarOf(o)}`,
      o.help,
    ]),
  ];
  const column = helpColumn([...positionals, ...options]);
  if (positionals.length > 0) out += `\npositional arguments:\n${formatEntries(positionals, column)}`;
  out += `\noptions:\n${formatEntries(options, column)}`;
  if (parser.subcommands) {
    const { title, metavar, commands } = parser.subcommands;
    const entries = commands.map((c): [string, string] => [c.name, c.help]);
    out += `\n${title}:\n  ${metavar}\n${formatEntries(entries, helpColumn(entries, 4), 4)}`;
  }
  if (parser.epilog) out += `\n${parser.epilog}\n`;
  return out;
}
