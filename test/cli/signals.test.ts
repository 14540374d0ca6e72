/** Signals and child processes (cli.md §8.3): what Ctrl-C does, and that children are reaped. */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CliSandbox, finished } from '../helpers/cli-process.js';
import { freePort, isAlive } from '../helpers/free-port.js';
import { startForeground } from './mesh-fixture.js';

describe('signals and children', () => {
  it('cancels a command that owns no services with exit 130, touching nothing', async () => {
    using sandbox = new CliSandbox();
    const port = await freePort();
    // A registry that accepts the request and never answers: `list` waits on it.
    const silent = createServer(() => {}).listen(port, '127.0.0.1');
    try {
      const child = sandbox.spawn(['list'], {
        MCP_MESH_REGISTRY_HOST: '127.0.0.1',
        MCP_MESH_REGISTRY_PORT: String(port),
      });
      const done = finished(child);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      child.kill('SIGINT');
      const result = await done;
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(130);
      expect(result.stdout).toBe('\nOperation cancelled by user\n');
      expect(result.stderr).toBe('');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('reaps an agent that dies while a foreground start runs, and stops the rest on SIGTERM', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('good_agent.py');
    const { child, done } = await startForeground(sandbox, [agent]);
    const { registry, good_agent } = sandbox.tracked().processes;
    process.kill(good_agent!.pid, 'SIGKILL');
    // Gone entirely, not a zombie: the CLI that started it reaped it.
    await expect.poll(() => existsSync(`/proc/${good_agent!.pid}`), { timeout: 5000 }).toBe(false);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stderr).toBe('');
    expect(isAlive(registry!.pid)).toBe(false);
    expect(sandbox.tracked().processes).toEqual({});
  });
});
