import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const run = promisify(execFile);

describe('node bench/memory.ts', () => {
  it('still measures the bare server and the npm entry, each with its agents registered and listed (no numbers asserted)', {
    timeout: 120_000,
  }, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(REPO_ROOT, 'bench', 'memory.ts'),
        '--agents',
        '20',
        '--settle',
        '0.2',
        '--no-go',
        '--no-bun',
        '--sea',
        '/nonexistent',
        '--bun-executable',
        '/nonexistent',
      ],
      { timeout: 110_000 },
    );
    expect(stdout).toContain('after 20 agents (half legacy registrations, half current-protocol providers');
    const row = (label: string) =>
      new RegExp(
        `^\\| ${label} \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| ([\\d.-]+|n/a) \\|$`,
        'm',
      );
    expect(stdout).toMatch(row('bare server, Node v[\\d.]+'));
    expect(stdout).toMatch(row('ours, npm entry \\(Node\\)'));
  });
});
