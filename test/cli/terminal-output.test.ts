/**
 * What the CLI writes to a terminal: colours unless NO_COLOR is set, and a progress line while it
 * waits for agents to register, which a pipe never sees. The terminal is a real pseudo-terminal
 * (util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, CliSandbox, finished } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** Runs the CLI with its stdout on a pseudo-terminal; resolves to what the terminal showed. */
async function onTerminal(sandbox: CliSandbox, argv: string[], extra: Record<string, string> = {}) {
  const command = [process.execPath, CLI_BIN, ...argv].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: sandbox.cwd,
    env: sandbox.env(extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child, 120_000);
}

const ESC = '\x1b[';

describe('the CLI on a terminal', () => {
  it('colours status lines on a terminal, and not when NO_COLOR is set (nor on a pipe)', async () => {
    using sandbox = new CliSandbox();
    const coloured = await onTerminal(sandbox, ['status']);
    expect(coloured.stdout).toContain(
      `${ESC}36mℹ ${ESC}1mINFO${ESC}0m${ESC}36m: Checking MCP Mesh services status...`,
    );
    const plain = await onTerminal(sandbox, ['status'], { NO_COLOR: '1' });
    expect(plain.stdout).toContain('ℹ INFO: Checking MCP Mesh services status...');
    expect(plain.stdout).not.toContain(ESC);
    const piped = await sandbox.run(['status']);
    expect(piped.stdout).not.toContain(ESC);
  });

  it('shows a progress line while waiting for registration on a terminal, and nothing extra on a pipe', async () => {
    using sandbox = new CliSandbox({ STAND_IN_SILENT: 'quiet_agent' });
    const agent = sandbox.addAgent('quiet_agent.py');
    const args = (port: number) => [
      'start',
      '--background',
      '--registry-port',
      String(port),
      '--startup-timeout',
      '3',
      agent,
    ];
    const terminal = await onTerminal(sandbox, args(await freePort()));
    expect(terminal.stdout).toMatch(/\r\x1b\[2K\S Waiting for quiet_agent to register \(\ds of 3s\)/);
    expect(terminal.stdout).toContain('Waiting for quiet_agent to register (2s of 3s)');
    // The line is erased before the result is written.
    expect(terminal.stdout).toMatch(/\r\x1b\[2K(\x1b\[\d+m)?⚠ /);
    expect((await sandbox.run(['stop'])).code).toBe(0);

    const piped = await sandbox.run(args(await freePort()));
    expect(piped.stdout).not.toContain('Waiting for quiet_agent to register (');
    expect(piped.stdout).not.toContain('\r');
    expect(piped.stdout).toContain('⚠ WARNING: Agent quiet_agent did not register within timeout');
    expect((await sandbox.run(['stop'])).code).toBe(0);
  });
});
