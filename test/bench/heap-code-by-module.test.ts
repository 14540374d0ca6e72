import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeByModule, moduleGroup } from '../../bench/lib/heap-code-by-module.js';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe("bench/lib/heap-code-by-module.ts (memory-breakdown's code by module)", () => {
  it('names a script by its package, our dist folder, Node itself, or code generated at run time', () => {
    expect(moduleGroup('file:///x/node_modules/fastify/fastify.js')).toBe('fastify');
    expect(moduleGroup('/x/node_modules/@fastify/swagger-ui/index.js')).toBe('@fastify/swagger-ui');
    expect(moduleGroup('/x/node_modules/a/node_modules/b/lib/c.js')).toBe('a');
    expect(moduleGroup('file:///work/main/dist/registry/main.js')).toBe('ours: registry');
    expect(moduleGroup('node:internal/http')).toBe("Node's own modules");
    expect(moduleGroup('')).toMatch(/^generated at run time/);
  });

  it("attributes an imported package's functions and source to it in a real heap snapshot", () => {
    using dir = tempDir('mesh-heap-code-');
    const file = join(dir.path, 'fastify.heapsnapshot');
    const fastifyJs = join(REPO_ROOT, 'node_modules', 'fastify', 'fastify.js');
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const f = await import(${JSON.stringify(fastifyJs)}); (await import('node:v8')).writeHeapSnapshot(${JSON.stringify(file)}); globalThis.keep = f;`,
    ]);
    const sums = codeByModule(JSON.parse(readFileSync(file, 'utf8')));
    // Its source string alone is the file's size; its functions come on top.
    expect(sums.get('fastify')).toBeGreaterThan(statSync(fastifyJs).size);
    expect(sums.get('find-my-way')).toBeGreaterThan(0);
    expect([...sums.keys()].filter((group) => group.startsWith('ours:'))).toEqual([]);
  });
});
