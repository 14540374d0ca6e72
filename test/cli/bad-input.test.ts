/** Bad input to the CLI: each gets a clear message and the documented exit code, and nothing is lost. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';

/** Listens on every port, or on none (the ones it got are closed again). */
async function listenOn(ports: number[]): Promise<Server[]> {
  const results = await Promise.allSettled(
    ports.map(
      (port) =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer().once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const servers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (servers.length === ports.length) return servers;
  for (const server of servers) server.close();
  throw new Error('a port is taken');
}

describe('bad input to mcp_mesh_dev', () => {
  it('starts an agent file without the .py suffix, with a warning', async () => {
    using sandbox = new CliSandbox();
    const file = sandbox.addAgent('good_agent.agent');
    const port = await freePort();
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), file]);
    expect(result.stderr).toBe(`Agent file does not have .py extension: ${file}\n`);
    expect(result.stdout).toContain('✓ SUCCESS: Agent good_agent registered successfully\n');
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('refuses a directory given as an agent file', async () => {
    using sandbox = new CliSandbox();
    mkdirSync(join(sandbox.cwd, 'dir.py'));
    const port = await freePort();
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), 'dir.py']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stderr).toBe(
      'Agent path is not a file: dir.py\nFailed to start agent dir: Invalid agent file: dir.py\n' +
        "Some agents failed to start: [('dir', 'Invalid agent file: dir.py')]\n",
    );
    expect(result.stdout).toContain('⚠ WARNING: No agents were started successfully\n');
  });

  it('reports a config file it cannot read, without touching it', async () => {
    using sandbox = new CliSandbox();
    const configFile = join(sandbox.home, '.mcp_mesh', 'cli_config.json');
    mkdirSync(configFile, { recursive: true });
    const result = await sandbox.run(['status']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^Failed to get status: Failed to load config file ${configFile}: EISDIR`),
    );
  });

  it('reports wrong types in the config file under the validation prefix', async () => {
    using sandbox = new CliSandbox();
    mkdirSync(join(sandbox.home, '.mcp_mesh'));
    const text = '{"registry_port": "8081", "debug_mode": "yes"}';
    writeFileSync(join(sandbox.home, '.mcp_mesh', 'cli_config.json'), text);
    const result = await sandbox.run(['list']);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stderr).toBe(
      `Failed to list agents: Failed to load config file ${join(sandbox.home, '.mcp_mesh', 'cli_config.json')}: ` +
        'Configuration validation failed: Invalid registry_port: "8081". Must be an integer between 1 and 65535.; ' +
        'debug_mode must be true or false, not "yes".\n',
    );
    expect(readFileSync(join(sandbox.home, '.mcp_mesh', 'cli_config.json'), 'utf8')).toBe(text);
  });

  it('reports an invalid value in the environment, for every command that loads the config', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['start', '--background'], { MCP_MESH_STARTUP_TIMEOUT: '10s' });
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stderr).toBe(
      'Failed to start services: Invalid integer value for MCP_MESH_STARTUP_TIMEOUT: 10s\n',
    );
    const negative = await sandbox.run(['stop'], { MCP_MESH_REGISTRY_PORT: '-1' });
    expect(negative.code, `${negative.stdout}${negative.stderr}`).toBe(1);
    expect(negative.stderr).toBe(
      'Failed to stop services: Configuration validation failed: Invalid registry_port: -1. Must be between 1 and 65535.\n',
    );
  });

  it('fails when the port and the ten after it are taken', async () => {
    using sandbox = new CliSandbox();
    const port = await freePort(11);
    const servers = await listenOn(Array.from({ length: 11 }, (_, i) => port + i));
    try {
      const result = await sandbox.run(['start', '--background', '--registry-port', String(port)]);
      expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
      const range = `${port + 1}-${port + 11}`;
      expect(result.stderr).toBe(
        `Port ${port} is already in use\nFailed to find available port: No available ports found in range ${range}\n` +
          `Failed to start registry: No available ports found in range ${range}\n`,
      );
      expect(result.stdout).toContain(
        '✗ ERROR: Failed to start services: Failed to start or connect to registry\n',
      );
      expect(sandbox.tracked().processes).toEqual({});
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('refuses a database file that is not SQLite, and leaves the file as it was', async () => {
    using sandbox = new CliSandbox();
    writeFileSync(join(sandbox.cwd, 'notes.db'), 'my notes, not a database');
    const port = await freePort();
    const result = await sandbox.run([
      'start',
      '--background',
      '--registry-port',
      String(port),
      '--db-path',
      'notes.db',
    ]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stderr).toBe(
      'Failed to start registry: Database error: SQLite error: file is not a database\n',
    );
    expect(readFileSync(join(sandbox.cwd, 'notes.db'), 'utf8')).toBe('my notes, not a database');
    expect(sandbox.tracked().processes).toEqual({});
  });

  it('says which interpreters it looked for when there is no Python', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('good_agent.py');
    const port = await freePort();
    // A PATH with Node's directory only: the registry starts, no python3 or python is found.
    const nodeOnly = join(sandbox.root, 'bin');
    mkdirSync(nodeOnly);
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), agent], {
      PATH: nodeOnly,
    });
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    const reason = 'Python interpreter not found (tried $VIRTUAL_ENV/bin/python, python3, python)';
    expect(result.stderr).toContain(
      `Failed to start agent good_agent: ${reason}\nFailed to start agent good_agent: ${reason}\n`,
    );
    expect(result.stdout).toContain('⚠ WARNING: No agents were started successfully\n');
  });
});
