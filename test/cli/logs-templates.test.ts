/** `mcp_mesh_dev logs` against templates/logs.txt, with our registry and stand-in agents. */
import { execFile } from 'node:child_process';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox, finished } from '../helpers/cli-process.js';
import { expectTemplate, loadScenarios } from '../helpers/cli-templates.js';
import { isAlive } from '../helpers/free-port.js';
import { startMesh } from './mesh-fixture.js';

const scenarios = loadScenarios('logs.txt');

/** Whether `journalctl` runs with this environment (found, answers within 5 s), whatever it finds. */
function canRunJournalctl(env: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    const args = ['--user', '--since', '1 hour ago', '--grep', '1'];
    execFile('journalctl', args, { env, timeout: 5000 }, (error) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve(!(code === 'ENOENT' || (error as { killed?: boolean } | null)?.killed));
    });
  });
}
const scenario = (name: string) => scenarios.get(name)!;

describe('logs (templates/logs.txt)', () => {
  it('lists the tracked services without log content', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent', 'other_agent']);
    const result = await sandbox.run(['logs']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expectTemplate(result.stdout, scenario('logs-all-services').runs[0]!.stdout, {
      pids,
      abs: sandbox.agents,
    });
    expect(result.stderr).toBe('');
  });

  it('shows, filters and brackets an agent log file, and follows it until Ctrl-C', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    const logFile = scenario('logs-agent-file');
    const logPath = join(sandbox.agents, 'good_agent.log');
    writeFileSync(logPath, logFile.inputs['good_agent.log']!);
    const argvOf = (command: string) => command.replace('mcp_mesh_dev ', '').split(' ');
    for (const run of logFile.runs) {
      const result = await sandbox.run(argvOf(run.command));
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
      expectTemplate(result.stdout, run.stdout, { abs: sandbox.agents });
      expect(result.stderr).toBe(run.stderr);
    }

    const follow = scenario('logs-agent-follow').runs[0]!;
    const child = sandbox.spawn(argvOf(follow.command));
    const done = finished(child);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('Monitoring:');
    appendFileSync(
      logPath,
      '2024-01-01 12:00:09 DEBUG appended debug\n2024-01-01 12:00:10 ERROR appended error\n',
    );
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('appended error');
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    // Ctrl-C ends following with the intended message and touches no process (cli.md §7.7 step 7).
    expectTemplate(result.stdout, `${follow.stdout}\nℹ INFO: Log following stopped\n`, {
      abs: sandbox.agents,
    });
    expect(result.stderr).toBe('');
    expect(isAlive(pids.good_agent!)).toBe(true);
    expect(isAlive(pids.registry!)).toBe(true);
  });

  it('reads the output an agent started in the background wrote to its log', async () => {
    using sandbox = new CliSandbox();
    await startMesh(sandbox, ['good_agent']);
    const result = await sandbox.run(['logs', '--agent', 'good_agent']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(
      `✓ SUCCESS: Reading from log file: ${sandbox.serviceLog('good_agent')}\n`,
    );
    expect(result.stdout).toContain('  good_agent ready\n');
  });

  it('shows process information when an agent has no log file', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'other_agent' });
    const { pids } = await startMesh(sandbox, ['good_agent', 'other_agent']);
    rmSync(sandbox.serviceLog('other_agent'));
    const result = await sandbox.run(['logs', '--agent', 'other_agent', '--lines', '5']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    const run = scenario('logs-agent-no-file').runs[0]!;
    const python = sandbox.tracked().processes.other_agent!.command[0]!;
    // The ending depends on whether journalctl can run on this machine (see the template's notes),
    // which is asked here, not read from the output under test.
    const journalFindsNothing =
      'ℹ INFO: No recent system logs found\nℹ INFO: Consider configuring logging in your agent\n';
    expect(run.stdout.endsWith(journalFindsNothing)).toBe(true);
    const template = (await canRunJournalctl(sandbox.env()))
      ? run.stdout
      : run.stdout.replace(
          journalFindsNothing,
          'ℹ INFO: System log access not available\nℹ INFO: Consider configuring file-based logging in your agent\n',
        );
    expectTemplate(result.stdout, template, { pids, abs: sandbox.agents, python });
    expect(result.stderr).toBe('');
  });
});
