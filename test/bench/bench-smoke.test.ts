import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'mesh-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('still runs end to end in quick mode: every server, every row, the chart (no numbers asserted)', {
    timeout: 400_000,
  }, async () => {
    const chart = join(out, 'latency.svg');
    const { stdout } = await run(
      process.execPath,
      [
        join(REPO_ROOT, 'bench', 'run.ts'),
        '--quick',
        '--database',
        'both',
        '--out-dir',
        out,
        '--chart',
        chart,
      ],
      { timeout: 390_000, maxBuffer: 1 << 24 },
    );
    for (const table of ['ours SQLite', 'ours PostgreSQL'])
      expect(stdout).toContain(`### Throughput: ${table}`);
    for (const row of [
      'legacy heartbeat',
      "SDK's full heartbeat",
      '`HEAD /heartbeat/{id}`',
      '`GET /agents`, 20 agents',
      '`GET /agents`, 100 agents',
      '`GET /health`',
      'registration, current protocol',
      'registration, legacy',
    ])
      expect(stdout).toContain(`| ${row}`);
    for (const server of ['no-op Node', 'Go', 'ours SQLite', 'ours PostgreSQL']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${server} \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|$`, 'm'));
      expect(stdout).toMatch(new RegExp(`^\\| ${server} \\| \`HEAD /heartbeat/\\{id\\}\``, 'm'));
    }
    // The jobs workloads, a figure for the Go registry and for ours, in each of ours' tables.
    expect(stdout).toContain('### Jobs (MeshJob)');
    for (const row of ['job claims', 'job round trips'])
      expect(
        stdout.match(new RegExp(`^\\| ${row}[^|]*\\| [\\d.,]+ \\(.*?\\| [\\d.,]+ \\(`, 'gm')),
      ).toHaveLength(2);
    expect(stdout).toContain('| mcp_mesh_dev --version |');
    const svg = readFileSync(chart, 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('ours SQLite, HEAD');
    expect(existsSync(join(out, 'bench-results.json'))).toBe(true);
    expect(readFileSync(join(out, 'bench-results.md'), 'utf8')).toBe(stdout);
  });
});
