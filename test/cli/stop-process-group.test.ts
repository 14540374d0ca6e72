/**
 * `stop` ends what a service spawned, not only the service (issue 18): each service leads its own
 * process group, and `stop` signals the group.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { isAlive } from '../helpers/free-port.js';
import { SLOW_MACHINE, startMesh } from './mesh-fixture.js';

describe('stop and process groups', () => {
  it.each([
    ['stop', ['stop']],
    ['stop --agent', ['stop', '--agent', 'good_agent']],
    ['restart-agent', ['restart-agent', 'good_agent']],
  ])('%s ends the processes an agent started', async (_name, argv) => {
    // STAND_IN_CHILD: the agent starts `sleep 600` and writes its PID beside itself.
    using sandbox = new CliSandbox({ STAND_IN_CHILD: '1' });
    const { pids } = await startMesh(sandbox, ['good_agent'], SLOW_MACHINE);
    const childPidFile = join(sandbox.agents, 'good_agent.child.pid');
    const child = Number(readFileSync(childPidFile, 'utf8'));
    expect(isAlive(child)).toBe(true);

    const result = await sandbox.run(argv);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    await expect.poll(() => isAlive(pids.good_agent!), { timeout: 5000 }).toBe(false);
    await expect.poll(() => isAlive(child), { timeout: 5000 }).toBe(false);
    // The CLI itself, and the other services, are not in the agent's group.
    if (argv[0] !== 'stop' || argv.length > 1) expect(isAlive(pids.registry!)).toBe(true);
    if (argv[0] === 'restart-agent') {
      const replacement = Number(readFileSync(childPidFile, 'utf8'));
      expect(replacement).not.toBe(child);
      expect(isAlive(replacement)).toBe(true);
    }
  });
});
