/**
 * Service output in the shared temp directory (issue 18): in a directory of this user's own (0700),
 * files 0600, never written through a symlink or into a directory another user prepared.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';
import { SLOW_MACHINE, startMesh } from './mesh-fixture.js';

const NOBODY = 65534;
const modeOf = (path: string) => lstatSync(path).mode & 0o777;

describe('service logs in the temp directory', () => {
  it('keeps them in a directory of this user only (0700), each file 0600', async () => {
    using sandbox = new CliSandbox();
    await startMesh(sandbox, ['good_agent'], SLOW_MACHINE);
    expect(modeOf(sandbox.logDir)).toBe(0o700);
    expect(statSync(sandbox.logDir).uid).toBe(process.getuid!());
    for (const name of ['registry', 'good_agent']) {
      expect(modeOf(sandbox.serviceLog(name)), name).toBe(0o600);
    }
    expect(readFileSync(sandbox.serviceLog('good_agent'), 'utf8')).toContain('good_agent ready');
    const logs = await sandbox.run(['logs', '--agent', 'good_agent']);
    expect(logs.stdout).toContain(`Reading from log file: ${sandbox.serviceLog('good_agent')}`);
  });

  it('closes a log directory and file of its own that others could read', async () => {
    using sandbox = new CliSandbox();
    mkdirSync(sandbox.logDir, { mode: 0o755 });
    chmodSync(sandbox.logDir, 0o777);
    writeFileSync(sandbox.serviceLog('registry'), 'earlier\n', { mode: 0o644 });
    await startMesh(sandbox, [], SLOW_MACHINE);
    expect(modeOf(sandbox.logDir)).toBe(0o700);
    expect(modeOf(sandbox.serviceLog('registry'))).toBe(0o600);
    expect(readFileSync(sandbox.serviceLog('registry'), 'utf8')).toMatch(/^earlier\n/);
  });

  it('writes nothing through symlinks planted where the logs go, and still starts', async () => {
    using sandbox = new CliSandbox();
    // Someone else's files, reachable through links planted in the shared temp directory: at the
    // log directory's name and at each file name a log could have had there.
    const victim = join(sandbox.root, 'victim');
    mkdirSync(victim);
    symlinkSync(victim, sandbox.logDir);
    for (const name of ['registry', 'good_agent']) {
      const target = join(sandbox.root, `victim-${name}`);
      writeFileSync(target, '');
      symlinkSync(target, join(sandbox.tmp, `mcp_mesh_${name}.log`));
      symlinkSync(target, join(victim, `${name}.log`));
    }
    await startMesh(sandbox, ['good_agent'], SLOW_MACHINE);
    for (const name of ['registry', 'good_agent']) {
      expect(readFileSync(join(sandbox.root, `victim-${name}`), 'utf8'), name).toBe('');
    }
    expect(lstatSync(sandbox.logDir).isSymbolicLink()).toBe(true);
    const logs = await sandbox.run(['logs', '--agent', 'good_agent']);
    expect(logs.stdout).not.toContain('Reading from log file');
  });

  it('says why when the log directory belongs to another user, and writes nothing into it', async () => {
    expect(process.getuid?.(), 'this test chowns a directory to nobody: it runs as root (as CI does)').toBe(
      0,
    );
    using sandbox = new CliSandbox();
    mkdirSync(sandbox.logDir);
    chmodSync(sandbox.logDir, 0o777);
    chownSync(sandbox.logDir, NOBODY, NOBODY);
    const port = String(await freePort());
    const result = await sandbox.run(['start', '--background', '--registry-port', port, ...SLOW_MACHINE]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.stderr).toContain(
      `Output of registry is not kept: ${sandbox.logDir} belongs to user ${NOBODY}\n`,
    );
    expect(existsSync(sandbox.serviceLog('registry'))).toBe(false);
    expect(statSync(sandbox.logDir).uid).toBe(NOBODY);
  });
});
