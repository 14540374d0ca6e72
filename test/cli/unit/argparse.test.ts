import { describe, expect, it } from 'vitest';
import { isParseExit, parseArgs } from '../../../src/cli/args/argparse.js';
import { TOP_PARSER } from '../../../src/cli/command-table.js';

const parse = (...argv: string[]) => parseArgs(TOP_PARSER, argv);
const values = (...argv: string[]) => {
  const result = parse(...argv);
  if (isParseExit(result)) throw new Error(result.stderr);
  return result;
};
const error = (...argv: string[]) => {
  const result = parse(...argv);
  if (!isParseExit(result)) throw new Error('parsed');
  return result;
};

describe('argparse-compatible parsing (cli.md §1.4)', () => {
  it('accepts unambiguous prefixes and --opt=value', () => {
    expect(values('status', '--verb').values).toMatchObject({ verbose: true, json: false });
    expect(values('logs', '--lin', '5', '--lev=DEBUG').values).toMatchObject({ lines: 5, level: 'DEBUG' });
    expect(
      values('start', '--registry-port=8_081', '--registry-host', '0.0.0.0', '--debug', '--background')
        .values,
    ).toMatchObject({
      registry_port: 8081,
      registry_host: '0.0.0.0',
      debug: true,
      background: true,
    });
  });

  it('takes negative numbers as values, so validation sees them', () => {
    expect(values('start', '--registry-port', '-1').values.registry_port).toBe(-1);
  });

  it('reads the agent files as one run, before or after options', () => {
    expect(values('start', 'a.py', 'b.py', '--debug').values.agent_files).toEqual(['a.py', 'b.py']);
    expect(values('start', '--debug', 'a.py').values.agent_files).toEqual(['a.py']);
    expect(values('start').values.agent_files).toEqual([]);
    expect(error('start', 'a.py', '--debug', 'b.py').stderr).toMatch(
      /mcp_mesh_dev: error: unrecognized arguments: b.py\n$/,
    );
  });

  it('gives defaults and the command path', () => {
    expect(values('stop').values).toMatchObject({ force: false, timeout: 30 });
    expect(values('config', 'show').commandPath).toEqual(['config', 'show']);
    expect(values('config', 'set', 'registry_port', '8081').values).toMatchObject({
      key: 'registry_port',
      value: '8081',
    });
    expect(values('config').values.action).toBeUndefined();
  });

  it('prints help on stdout with exit 0 at every level', () => {
    const top = error('--help');
    expect(top.exitCode).toBe(0);
    expect(top.stdout.startsWith('usage: mcp_mesh_dev [-h] [--version] COMMAND ...\n')).toBe(true);
    expect(top.stdout).toContain('MCP Mesh Developer CLI');
    for (const name of ['start', 'stop', 'status', 'list']) expect(top.stdout).toContain(name);
    const sub = error('config', 'set', '-h');
    expect(sub.exitCode).toBe(0);
    expect(sub.stdout.startsWith('usage: mcp_mesh_dev config set [-h] key value\n')).toBe(true);
  });

  it('rejects what argparse rejects, with exit code 2', () => {
    expect(error('start', '--debug=yes').stderr).toMatch(
      /argument --debug: ignored explicit argument 'yes'\n$/,
    );
    expect(error('status', '--version').stderr).toMatch(
      /^usage: mcp_mesh_dev .*\nmcp_mesh_dev: error: unrecognized arguments: --version\n$/s,
    );
    expect(error('stop', '--timeout', '--force').stderr).toMatch(
      /argument --timeout: expected one argument\n$/,
    );
    expect(error('logs', '--lines', '1.5').stderr).toMatch(/argument --lines: invalid int value: '1.5'\n$/);
    expect(error('logs', '--lines', '1.5').exitCode).toBe(2);
  });
});
