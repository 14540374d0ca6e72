/**
 * `mcp_mesh_dev completion bash|zsh`: prints a completion script generated from the command table.
 * Not one of the parser's commands: the original had none, and its recorded usage and "invalid
 * choice" messages list exactly the eight it had, so main.ts answers this word before parsing.
 */
import type { ParserSpec } from '../args/parser-spec.js';
import { PROG, TOP_PARSER } from '../command-table.js';
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from '../output/completion-script.js';

export const COMPLETION_USAGE = `usage: ${PROG} completion {${COMPLETION_SHELLS.join(',')}}`;

const HELP = `${COMPLETION_USAGE}

Print a shell completion script for ${PROG}.

  bash: source <(${PROG} completion bash)        (e.g. in ~/.bashrc)
  zsh:  source <(${PROG} completion zsh)         (e.g. in ~/.zshrc, after compinit)
`;

export interface CompletionIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs `completion` with the words after it; resolves to the exit code (2 for a usage error, as argparse). */
export function runCompletion(words: readonly string[], io: CompletionIo): number {
  if (words.length === 1 && (words[0] === '-h' || words[0] === '--help')) {
    io.stdout.write(HELP);
    return 0;
  }
  const [shell, ...rest] = words;
  if (shell === undefined || rest.length > 0 || !COMPLETION_SHELLS.includes(shell as CompletionShell)) {
    const problem =
      shell === undefined
        ? 'the following arguments are required: SHELL'
        : rest.length > 0
          ? `unrecognized arguments: ${rest.join(' ')}`
          : `argument SHELL: invalid choice: '${shell}' (choose from ${COMPLETION_SHELLS.map((s) => `'${s}'`).join(', ')})`;
    io.stderr.write(`${COMPLETION_USAGE}\n${PROG} completion: error: ${problem}\n`);
    return 2;
  }
  io.stdout.write(completionScript(shell as CompletionShell, WITH_COMPLETION, PROG));
  return 0;
}

/** The command table with this command added, so that the scripts complete it too. */
const WITH_COMPLETION: ParserSpec = {
  ...TOP_PARSER,
  subcommands: {
    ...TOP_PARSER.subcommands!,
    commands: [
      ...TOP_PARSER.subcommands!.commands,
      {
        name: 'completion',
        help: 'Print a shell completion script',
        parser: {
          prog: `${PROG} completion`,
          options: [],
          positionals: [
            { name: 'SHELL', dest: 'shell', nargs: 1, choices: COMPLETION_SHELLS, help: 'The shell' },
          ],
        },
      },
    ],
  },
};
