import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const run = promisify(execFile);

describe('the heartbeat benchmark', () => {
  it('still runs end to end against both registries (a short smoke, no numbers asserted)', {
    timeout: 180_000,
  }, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(REPO_ROOT, 'bench', 'heartbeat-resolution.ts'),
        '--seconds',
        '1',
        '--providers',
        '100',
        '--connections',
        '4',
      ],
      { timeout: 170_000 },
    );
    expect(stdout).toContain('| ours (TypeScript, SQLite) |');
    expect(stdout).toContain('| upstream Go registry 3.7.1 (SQLite) |');
    expect(stdout).toMatch(/ratio ours \/ Go: \d+(\.\d)?x/);
  });
});
