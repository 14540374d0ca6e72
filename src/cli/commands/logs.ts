/** `mcp_mesh_dev logs [--agent NAME] [--level L] [--lines N] [--follow]` (cli.md §7.7). */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, normalize, resolve } from 'node:path';
import { formatFixed } from '../../shared/python/python-float.js';
import { pythonStrip } from '../../shared/python/python-str.js';
import type { CommandArgs } from '../command-table.js';
import { loadConfig } from '../config/cli-config.js';
import type { CliContext, CliOutput } from '../context.js';
import { printAgentNotFound } from '../output/agent-not-found.js';
import { reportTo } from '../output/service-event-text.js';
import { isServiceLogDirectorySafe, serviceLogPath } from '../process/service-log.js';
import { findTracked } from '../services/agent-names.js';
import { type LocalMesh, openLocalMesh } from '../services/local-mesh.js';
import { localDateTime, parseLocalTimestamp } from '../state/local-time.js';
import { type ProcessRecord, uptimeSeconds } from '../state/process-tracker.js';

export type LogsArgs = CommandArgs['logs'];

const LEVEL_WORDS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
/** Words whose presence hides a line at each minimum level (a substring test, §7.7 step 6). */
const HIDDEN_BELOW: Record<string, string[]> = {
  DEBUG: [],
  INFO: ['DEBUG'],
  WARNING: ['DEBUG', 'INFO'],
  ERROR: ['DEBUG', 'INFO', 'WARNING'],
};

export function passesLevel(line: string, level: string): boolean {
  const upper = line.toUpperCase();
  return !(HIDDEN_BELOW[level] ?? []).some((word) => upper.includes(word));
}

/** The first level word found (case-insensitively) is bracketed wherever it appears in upper case. */
export function bracketLevel(line: string): string {
  const upper = line.toUpperCase();
  const word = LEVEL_WORDS.find((candidate) => upper.includes(candidate));
  return word ? line.replaceAll(word, `[${word}]`) : line;
}

/** Python `lines[-n:]` with `--lines 0` meaning all (§7.7 step 4). */
export function lastLines<T>(lines: T[], count: number): T[] {
  return count === 0 ? lines : lines.slice(-count);
}

/** Python's path rendering: `./` prefixes and doubled slashes dropped, `..` kept. */
function pythonPath(path: string): string {
  const cleaned = path
    .replace(/\/{2,}/g, '/')
    .replace(/(^|\/)(\.\/)+/g, '$1')
    .replace(/\/\.$/, '');
  return cleaned === '' ? '.' : cleaned;
}

function candidateFiles(mesh: LocalMesh, record: ProcessRecord, name: string): string[] {
  const workingDirectory =
    typeof record.metadata.working_directory === 'string' ? record.metadata.working_directory : '.';
  return [
    pythonPath(`${workingDirectory}/${name}.log`),
    // Our services' output, read only from a directory that is this user's own (a planted one is skipped).
    ...(isServiceLogDirectorySafe(mesh.env) ? [serviceLogPath(mesh.env, name)] : []),
    pythonPath(`${dirname(normalize(mesh.config.db_path))}/logs/${name}.log`),
  ];
}

function showAll(out: CliOutput, mesh: LocalMesh): void {
  out.info('Showing logs for all MCP Mesh services');
  const registry = mesh.tracker.get('registry');
  if (registry) {
    out.print();
    out.info('Registry Service:', {
      PID: registry.pid,
      Status: mesh.tracker.isAlive(registry) ? 'running' : 'stopped',
      Uptime: `${formatFixed(uptimeSeconds(registry))}s`,
    });
  }
  const agents = mesh.tracker.byType('agent');
  out.print();
  if (agents.length === 0) {
    out.info('No agent processes currently running');
    return;
  }
  out.info(`Found ${agents.length} agent process(es):`);
  for (const agent of agents) {
    const running = mesh.tracker.isAlive(agent);
    out.status(running ? 'success' : 'warning', `Agent: ${agent.name}`, {
      PID: agent.pid,
      Status: running ? 'running' : 'stopped',
      Uptime: `${formatFixed(uptimeSeconds(agent))}s`,
      File: agent.metadata.agent_file ?? 'unknown',
    });
  }
  out.print();
  out.info("Use 'mcp_mesh_dev logs --agent <name>' to view specific agent logs");
}

function systemLogs(pid: number): Promise<{ ran: boolean; output: string }> {
  return new Promise((resolveRun) => {
    execFile(
      'journalctl',
      ['--user', '--since', '1 hour ago', '--grep', String(pid)],
      { timeout: 5000 },
      (error, stdout) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT')
          return resolveRun({ ran: false, output: '' });
        if (error && (error as { killed?: boolean }).killed) return resolveRun({ ran: false, output: '' });
        resolveRun({ ran: true, output: error ? '' : stdout });
      },
    );
  });
}

async function showProcessInformation(out: CliOutput, record: ProcessRecord, lines: number): Promise<void> {
  out.warning('No log file found for agent');
  out.info('Agent Process Information:', {
    PID: record.pid,
    Command: record.command.join(' '),
    'Working Dir': record.metadata.working_directory ?? null,
    Started: localDateTime(new Date(parseLocalTimestamp(record.started_at))),
    Uptime: `${formatFixed(uptimeSeconds(record))}s`,
  });
  const journal = await systemLogs(record.pid);
  if (!journal.ran) {
    out.info('System log access not available');
    out.info('Consider configuring file-based logging in your agent');
  } else if (journal.output.trim() !== '') {
    out.info('Recent system logs:');
    for (const line of lastLines(journal.output.replace(/\n$/, '').split('\n'), lines))
      out.print(`  ${line}`);
  } else {
    out.info('No recent system logs found');
    out.info('Consider configuring logging in your agent');
  }
}

/** Tails `path` from its end every 0.1 s until interrupted; lines are filtered, not bracketed. */
async function follow(ctx: CliContext, path: string, level: string): Promise<void> {
  const { out } = ctx;
  let position = statSync(path).size;
  let pending = '';
  let stopped = false;
  ctx.onInterrupt(() => {
    stopped = true;
  });
  while (!stopped) {
    await new Promise((resolveTick) => setTimeout(resolveTick, 100));
    const size = statSync(path).size;
    if (size < position) position = 0;
    if (size === position) continue;
    const buffer = Buffer.alloc(size - position);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, position);
    } finally {
      closeSync(fd);
    }
    position = size;
    const parts = (pending + buffer.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) if (passesLevel(line, level)) out.print(`  ${pythonStrip(line)}`);
  }
  out.print();
  out.info('Log following stopped');
}

async function showAgent(ctx: CliContext, mesh: LocalMesh, input: string, args: LogsArgs): Promise<number> {
  const { out } = ctx;
  const record = findTracked(mesh.tracker, input);
  if (!record) {
    return printAgentNotFound(out, mesh.tracker, `Agent '${input}' not found or not running`);
  }
  const { name } = record;
  out.info(`Showing logs for agent: ${name}`);
  const candidates = candidateFiles(mesh, record, name);
  let lines: string[] | undefined;
  let readFailed = false;
  for (const candidate of candidates) {
    const absolute = resolve(mesh.cwd, candidate);
    if (!existsSync(absolute)) continue;
    try {
      const text = readFileSync(absolute, 'utf8');
      const all = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      lines = lastLines(all, args.lines).map(pythonStrip);
      out.success(`Reading from log file: ${candidate}`);
      break;
    } catch (error) {
      readFailed = true;
      out.warning(`Failed to read log file ${candidate}: ${(error as Error).message}`);
    }
  }
  if (lines === undefined) {
    await showProcessInformation(out, record, args.lines);
    // A log that exists but cannot be read is an error, not "no log" (the original exited 0).
    return readFailed ? 1 : 0;
  }
  if (lines.length === 0) return 0;
  out.print();
  const kept = lines.filter((line) => passesLevel(line, args.level)).map(bracketLevel);
  if (kept.length > 0) {
    out.info(`Showing ${kept.length} log entries (level: ${args.level}):`);
    out.print();
    for (const line of kept) out.print(`  ${line}`);
  } else {
    out.info(`No log entries found matching level: ${args.level}`);
  }
  if (args.follow) {
    out.print();
    out.info('Following logs (Ctrl+C to stop)...');
    const target = candidates.find((candidate) => existsSync(resolve(mesh.cwd, candidate)));
    if (!target) {
      out.warning('Log file not available for following');
      return 1;
    }
    out.success(`Monitoring: ${target}`);
    out.print();
    try {
      await follow(ctx, resolve(mesh.cwd, target), args.level);
    } catch (error) {
      out.warning(`Log following failed: ${(error as Error).message}`);
      return 1;
    }
  }
  return 0;
}

export async function run(args: LogsArgs, ctx: CliContext): Promise<number> {
  try {
    const mesh = openLocalMesh(
      ctx,
      loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env }),
      reportTo(ctx.out),
    );
    if (args.agent === undefined) {
      showAll(ctx.out, mesh);
      return 0;
    }
    return await showAgent(ctx, mesh, args.agent, args);
  } catch (error) {
    ctx.out.log(`Failed to show logs: ${(error as Error).message}`);
    return 1;
  }
}
