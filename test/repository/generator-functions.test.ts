/**
 * No generator function is created per call. Every `function*` written inside another function
 * is a new closure each time that function runs, with a prototype of its own; calling it makes a
 * new hidden class, which V8 allocates straight in the old generation. One per write filled the
 * old generation at about 3 KB per heartbeat and made the 10,000-agent scale test stop for a
 * major collection every few seconds (bench/write-garbage.ts, docs/benchmarks.md). Generators are
 * declared at the top of their module (or as class methods) and given their state as arguments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const SRC = join(resolve(REPO_ROOT), 'src');

/** `function*` that does not start a line at the top level of its module, as `file:line`. */
function nestedGeneratorFunctions(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!/\bfunction\s*\*/.test(line)) continue;
    if (/^(export\s+)?(async\s+)?function\s*\*/.test(line)) continue;
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
    found.push(`${file}:${index + 1}`);
  }
  return found;
}

describe('generator functions', () => {
  it('are declared once, never created per call, anywhere in src/', () => {
    const found: string[] = [];
    let generators = 0;
    for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      const text = readFileSync(path, 'utf8');
      generators += (text.match(/^(export\s+)?function\s*\*/gm) ?? []).length;
      found.push(...nestedGeneratorFunctions(relative(SRC, path), text));
    }
    expect(generators).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });

  it('tells a nested generator function from a declared one', () => {
    const text = [
      'export function* top() {}',
      'function* alsoTop() {}',
      '  return function* (into) {};',
      '  const run = function* () {};',
      '  // a function* in a comment',
    ].join('\n');
    expect(nestedGeneratorFunctions('x.ts', text)).toEqual(['x.ts:3', 'x.ts:4']);
  });
});
