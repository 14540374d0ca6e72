/**
 * The CLI entry: parse with argparse semantics, then load and run only the chosen command's module.
 * Kept free of heavy imports so `--version` and `config path` start as fast as Node itself.
 */
import { homedir } from 'node:os';
import { isParseExit, parseArgs } from './args/argparse.js';
import { formatHelp } from './args/help-format.js';
import { type CommandArgs, type CommandName, TOP_PARSER } from './command-table.js';
import type { CliContext } from './context.js';

type CommandModule<K extends CommandName> = { run(args: CommandArgs[K], ctx: CliContext): Promise<number> };

/** Each command's module, loaded on demand (one file per command). */
const COMMANDS: { [K in CommandName]: () => Promise<CommandModule<K>> } = {
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  restart: () => import('./commands/restart.js'),
  'restart-agent': () => import('./commands/restart-agent.js'),
  status: () => import('./commands/status.js'),
  list: () => import('./commands/list.js'),
  logs: () => import('./commands/logs.js'),
  config: () => import('./commands/config.js'),
};

export interface MainIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

const INTERRUPT_SIGNALS: NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs one invocation and resolves to its exit code (cli.md §1.5–§1.6). */
export async function main(argv: readonly string[], io: MainIo = defaultIo()): Promise<number> {
  if (argv[0] === 'completion')
    return (await import('./commands/completion.js')).runCompletion(argv.slice(1), io);
  const parsed = parseArgs(TOP_PARSER, argv);
  if (isParseExit(parsed)) {
    io.stdout.write(parsed.stdout);
    io.stderr.write(parsed.stderr);
    return parsed.exitCode;
  }
  const command = parsed.commandPath[0] as CommandName | undefined;
  if (command === undefined) {
    io.stdout.write(formatHelp(TOP_PARSER));
    return 1;
  }
  const [{ CliOutput }, module] = await Promise.all([import('./context.js'), COMMANDS[command]!()]);
  const isTty = io.stdout.isTTY === true;
  // NO_COLOR (any non-empty value) turns colours off; a terminal stays a terminal otherwise.
  const out = new CliOutput(io.stdout, io.stderr, isTty, isTty && !io.env.NO_COLOR);
  let interruptHandler: ((signal: NodeJS.Signals) => void) | undefined;
  const ctx: CliContext = {
    cwd: io.cwd,
    home: io.env.HOME || io.env.USERPROFILE || homedir(),
    env: io.env,
    out,
    onInterrupt: (handler) => {
      interruptHandler = handler;
    },
    exit: (code) => process.exit(code),
  };
  // Ctrl-C in a command that owns no services cancels it and touches nothing (§8.3).
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptHandler) return interruptHandler(signal);
    out.print('\nOperation cancelled by user');
    process.exit(130);
  };
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, onSignal);
  try {
    return await runCommand(module, parsed.values as CommandArgs[typeof command], ctx);
  } catch (error) {
    io.stderr.write(`Error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    for (const signal of INTERRUPT_SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * Runs a loaded command with the values the parser produced for it. The parser builds its values
 * from the same table the argument types are derived from (args/parsed-values.ts).
 */
function runCommand<K extends CommandName>(
  module: CommandModule<K>,
  args: CommandArgs[K],
  ctx: CliContext,
): Promise<number> {
  return module.run(args, ctx);
}

function defaultIo(): MainIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
