import { describe, expect, it } from 'vitest';
import { processControlFor } from '../../../src/cli/process/platform-process-control.js';
import {
  parseGroupMembers,
  parseLsofPorts,
  parseProcNetListeners,
} from '../../../src/cli/process/posix-process-control.js';
import { descendantsIn, parsePidPairs } from '../../../src/cli/process/process-tree.js';
import {
  parseNetstatListening,
  parseTasklistMemory,
  parseTasklistRow,
  taskkillTreeArgs,
  windowsProcessControl,
} from '../../../src/cli/process/windows-process-control.js';

describe('Windows process handling (parsers and commands, run on every platform)', () => {
  it('finds a PID in tasklist CSV output and reads its memory', () => {
    const output =
      '"python.exe","4242","Console","1","12,345 K"\r\n"node.exe","17","Console","1","9.876 K"\r\n';
    const row = parseTasklistRow(output, 4242);
    expect(row?.[0]).toBe('python.exe');
    expect(parseTasklistMemory(row![4]!)).toBe(12_345 * 1024);
    expect(parseTasklistMemory(parseTasklistRow(output, 17)![4]!)).toBe(9876 * 1024);
    expect(
      parseTasklistRow('INFO: No tasks are running which match the specified criteria.\r\n', 4242),
    ).toBeUndefined();
  });

  it('reads the ports a PID listens on from netstat -ano', () => {
    const output = [
      '  Proto  Local Address          Foreign Address        State           PID',
      '  TCP    0.0.0.0:8080           0.0.0.0:0              LISTENING       4242',
      '  TCP    [::]:9090              [::]:0                 LISTENING       4242',
      '  TCP    127.0.0.1:50000        127.0.0.1:8080         ESTABLISHED     4242',
      '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       900',
    ].join('\r\n');
    expect(parseNetstatListening(output, 4242).sort()).toEqual([8080, 9090]);
  });

  it("stops trees with taskkill /F /T and detaches children from the CLI's job object", () => {
    expect(taskkillTreeArgs(4242)).toEqual(['/F', '/T', '/PID', '4242']);
    expect(processControlFor('win32')).toBe(windowsProcessControl);
  });
});

describe('POSIX process handling', () => {
  it('reads listening sockets from /proc/net/tcp text', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1',
      '   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 12346 1',
    ].join('\n');
    expect([...parseProcNetListeners(text)]).toEqual([['12345', 8080]]);
    expect(parseLsofPorts('p42\nf5\nn127.0.0.1:8080\nf6\nn*:9090\n').sort()).toEqual([8080, 9090]);
  });

  it('walks process trees, children before grandchildren', () => {
    const table = parsePidPairs('  1     0\n 10     1\n 11    10\n 12    10\n 13    11\n 99     2\n');
    expect(descendantsIn(table, 10)).toEqual([11, 12, 13]);
    expect(descendantsIn(table, 99)).toEqual([]);
  });

  it('tells a running process from a missing one, and knows when it started', () => {
    const control = processControlFor();
    expect(control.isRunning(process.pid)).toBe(true);
    expect(control.isRunning(2 ** 30)).toBe(false);
    expect(Math.abs(control.startTime(process.pid)! - (Date.now() - process.uptime() * 1000))).toBeLessThan(
      5000,
    );
    expect(control.residentBytes(process.pid)).toBeGreaterThan(1024 * 1024);
  });

  it('reads the live members of a process group from ps output (macOS)', () => {
    const text = '  500   500 Ss\n  501   500 S+\n  502   500 Z\n  600   600 R\n';
    expect(parseGroupMembers(text, 500)).toEqual([500, 501]);
    expect(parseGroupMembers(text, 700)).toEqual([]);
  });

  it("names a process by a start token that stays with it, and tells the CLI's own group apart", () => {
    const control = processControlFor();
    const token = control.startToken(process.pid);
    expect(token).toMatch(/^linux:[\w-]+:\d+$/);
    expect(control.startToken(process.pid)).toBe(token);
    expect(control.startToken(2 ** 30)).toBeUndefined();
    // A running process counts as running, whether or not it leads a group.
    expect(control.isGroupRunning(process.pid)).toBe(true);
  });
});
