import { describe, expect, it } from 'vitest';
import { bracketLevel, lastLines, passesLevel } from '../../../src/cli/commands/logs.js';

describe('log line filtering (cli.md §7.7)', () => {
  it('filters by case-insensitive substrings of lower levels', () => {
    expect(passesLevel('x DEBUG y', 'INFO')).toBe(false);
    expect(passesLevel('INFORMATION', 'WARNING')).toBe(false);
    expect(passesLevel('critical thing', 'ERROR')).toBe(true);
    expect(passesLevel('debug anything', 'DEBUG')).toBe(true);
  });

  it('brackets every upper-case occurrence of the first level word found', () => {
    expect(bracketLevel('2024 WARNING Test warning with INFO inside')).toBe(
      '2024 WARNING Test warning with [INFO] inside',
    );
    expect(bracketLevel('info lowercase info line')).toBe('info lowercase info line');
    expect(bracketLevel('plain')).toBe('plain');
  });

  it('keeps the last n lines, all for 0, and drops the first |n| for negative n', () => {
    expect(lastLines([1, 2, 3], 2)).toEqual([2, 3]);
    expect(lastLines([1, 2, 3], 0)).toEqual([1, 2, 3]);
    expect(lastLines([1, 2, 3], -1)).toEqual([2, 3]);
  });
});
