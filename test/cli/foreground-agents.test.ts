/**
 * A foreground `start` with agents: their output on its stdout with a name prefix, as compose tools
 * show it; an agent whose file changes is restarted (`watch_files`), one whose process ends is
 * started again (`auto_restart`), neither when the config turns it off; and the registry it starts
 * is given `--health-check-interval`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliSandbox, finished } from '../helpers/cli-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { SLOW_MACHINE, startMesh } from './mesh-fixture.js';

const POLL = { timeout: 60_000, interval: 200 };

/** `start` in the foreground with these agent files, its stdout collected from the first byte. */
async function foreground(sandbox: CliSandbox, files: string[]) {
  const child = sandbox.spawn([
    'start',
    '--registry-port',
    String(await freePort()),
    ...SLOW_MACHINE,
    ...files,
  ]);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const done = finished(child);
  const stdout = () => text;
  await expect.poll(stdout, POLL).toContain('Press Ctrl+C to stop all services');
  return { child, done, stdout };
}

describe('a foreground start with agents', () => {
  it("streams each agent's output after the start-up report, prefixed with its name padded as compose does", async () => {
    using sandbox = new CliSandbox();
    const files = [sandbox.addAgent('good_agent.py'), sandbox.addAgent('other_agent.py')];
    const { child, done, stdout } = await foreground(sandbox, files);
    await expect.poll(stdout, POLL).toContain('good_agent  | good_agent ready\n');
    await expect.poll(stdout, POLL).toContain('other_agent | other_agent ready\n');
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    // Only after the report: the start-up lines are the original's.
    const report = result.stdout.slice(0, result.stdout.indexOf('Press Ctrl+C to stop all services'));
    expect(report).not.toContain(' | ');
  });

  it('restarts an agent whose file changes, and starts again one whose process ends', async () => {
    using sandbox = new CliSandbox();
    const file = sandbox.addAgent('good_agent.py');
    const { child, done, stdout } = await foreground(sandbox, [file]);
    const first = sandbox.pid('good_agent');

    appendFileSync(file, '# edited\n');
    await expect.poll(stdout, POLL).toContain('ℹ INFO: Agent good_agent changed: restarting it');
    await expect.poll(stdout, POLL).toContain('✓ SUCCESS: Agent good_agent restarted and registered');
    const second = sandbox.pid('good_agent');
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    expect(isAlive(second)).toBe(true);

    process.kill(second, 'SIGKILL');
    await expect
      .poll(stdout, POLL)
      .toContain(`⚠ WARNING: Agent good_agent (PID ${second}) exited: restarting it`);
    await expect.poll(() => stdout().split('restarted and registered').length, POLL).toBe(3);
    const third = sandbox.pid('good_agent');
    expect(third).not.toBe(second);
    expect(isAlive(third)).toBe(true);
    // The restarted agent's output is streamed too.
    await expect.poll(() => stdout().split('good_agent | good_agent ready').length, POLL).toBe(4);

    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(isAlive(third)).toBe(false);
    expect(sandbox.tracked().processes).toEqual({});
  }, 180_000);

  it('leaves changed and ended agents alone when watch_files and auto_restart are off', async () => {
    using sandbox = new CliSandbox({ MCP_MESH_AUTO_RESTART: 'false', MCP_MESH_WATCH_FILES: 'false' });
    const file = sandbox.addAgent('good_agent.py');
    const { child, done, stdout } = await foreground(sandbox, [file]);
    const pid = sandbox.pid('good_agent');
    appendFileSync(file, '# edited\n');
    // Several of the supervisor's rounds (1 s each) and a settle time would have passed.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(sandbox.pid('good_agent')).toBe(pid);
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(stdout()).not.toContain('restarting it');
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  it('gives the registry it starts --health-check-interval, and nothing when not asked', async () => {
    const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    {
      using sandbox = new CliSandbox();
      const { pids } = await startMesh(sandbox, [], ['--health-check-interval', '2', ...SLOW_MACHINE]);
      expect(environOf(pids.registry!)).toContain('HEALTH_CHECK_INTERVAL=2');
      expect((await sandbox.run(['stop'])).code).toBe(0);
    }
    {
      using sandbox = new CliSandbox();
      const { pids } = await startMesh(sandbox, [], SLOW_MACHINE);
      expect(environOf(pids.registry!).some((entry) => entry.startsWith('HEALTH_CHECK_INTERVAL='))).toBe(
        false,
      );
      expect((await sandbox.run(['stop'])).code).toBe(0);
    }
  });
});
