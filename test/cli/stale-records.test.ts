/**
 * What `stop` finds after services ended some other way: a Ctrl-C of a foreground `start`, or
 * processes that died on their own. Neither is an error: the services are stopped.
 */
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { isAlive } from '../helpers/free-port.js';
import { startForeground, startMesh } from './mesh-fixture.js';

const NOTHING_RUNNING = [
  'ℹ INFO: Stopping all MCP Mesh services (graceful mode)...',
  'ℹ INFO: Stopping registry service...',
  'ℹ INFO: Registry service is not running',
  '',
  '✓ SUCCESS: No MCP Mesh services were running',
  '',
].join('\n');

describe('stale records', () => {
  it('leaves no records after a Ctrl-C of a foreground start, so a later stop is not an error', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('good_agent.py');
    const { child, done } = await startForeground(sandbox, [agent]);
    const { registry, good_agent } = sandbox.tracked().processes;
    child.kill('SIGINT');
    const shutdown = await done;
    expect(shutdown.code, shutdown.stderr).toBe(0);
    expect(isAlive(registry!.pid)).toBe(false);
    expect(isAlive(good_agent!.pid)).toBe(false);
    expect(sandbox.tracked()).toMatchObject({ processes: {}, registry_state: {} });

    for (let attempt = 0; attempt < 2; attempt++) {
      const stop = await sandbox.run(['stop']);
      expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
      expect(stop.stdout).toBe(NOTHING_RUNNING);
      expect(stop.stderr).toBe('');
    }
  });

  it('removes the records of processes that already ended, and reports them stopped', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    for (const pid of Object.values(pids)) process.kill(pid, 'SIGKILL');
    await expect.poll(() => Object.values(pids).some(isAlive), { timeout: 5000 }).toBe(false);

    const stop = await sandbox.run(['stop']);
    expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
    expect(stop.stdout).toBe(
      [
        'ℹ INFO: Stopping all MCP Mesh services (graceful mode)...',
        'ℹ INFO: Agent good_agent was not running; removed its stale record',
        'ℹ INFO: Stopping registry service...',
        'ℹ INFO: Registry service was not running; removed its stale record',
        '',
        '✓ SUCCESS: All services stopped successfully (2 total)',
        '',
      ].join('\n'),
    );
    expect(stop.stderr).toBe('');
    expect(sandbox.tracked()).toMatchObject({ processes: {}, registry_state: {} });
    const again = await sandbox.run(['stop']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(NOTHING_RUNNING);
  });

  it('removes a stale record named with --agent instead of failing', async () => {
    using sandbox = new CliSandbox();
    const { pids } = await startMesh(sandbox, ['good_agent']);
    process.kill(pids.good_agent!, 'SIGKILL');
    await expect.poll(() => isAlive(pids.good_agent!), { timeout: 5000 }).toBe(false);
    const stop = await sandbox.run(['stop', '--agent', 'good_agent']);
    expect(stop.code, `${stop.stdout}${stop.stderr}`).toBe(0);
    expect(stop.stdout).toBe(
      'ℹ INFO: Stopping agent: good_agent\nℹ INFO: Agent good_agent was not running; removed its stale record\n',
    );
    expect(Object.keys(sandbox.tracked().processes)).toEqual(['registry']);
  });
});
