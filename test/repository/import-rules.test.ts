/**
 * The floors of src/ (docs/architecture.md): shared → mesh → storage → registry, with the CLI
 * beside them. A floor imports only from itself and the floors below it, and no files import each
 * other in a loop. Imports are read from the source text: static imports and re-exports,
 * side-effect imports and `import()` with a literal path (a loaded-later module is still a tie).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const SRC = join(resolve(REPO_ROOT), 'src');

/** What each top folder of src/ may import, besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  shared: [],
  mesh: ['shared'],
  storage: ['shared', 'mesh'],
  registry: ['shared', 'mesh', 'storage'],
  cli: ['shared', 'mesh'],
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

/** The src/ files (relative to src/, `/`-separated) each file imports. */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[2]!;
      if (!specifier.startsWith('.')) continue;
      const target = join(dirname(file), specifier).replace(/\.js$/, '.ts').split('\\').join('/');
      if (files.has(target)) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every loop of imports, as `a.ts -> b.ts -> a.ts` (Tarjan's strongly connected components). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const isLoop = component.length > 1 || (graph.get(file) ?? []).includes(file);
    if (isLoop) cycles.push(component.sort().join(' <-> '));
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles.sort();
}

/** Imports that go to a folder its floor may not use, as `from -> to`. */
function floorBreaches(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const floorOf = (file: string) => file.split('/')[0]!;
  const breaches: string[] = [];
  for (const [file, targets] of graph) {
    const allowed = MAY_IMPORT[floorOf(file)];
    for (const target of targets) {
      const floor = floorOf(target);
      if (floor === floorOf(file)) continue;
      if (allowed === undefined || !allowed.includes(floor)) breaches.push(`${file} -> ${target}`);
    }
  }
  return breaches.sort();
}

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(SRC, path).split('\\').join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('the import rules of src/', () => {
  it('puts every file of src/ on a floor', () => {
    const floors = new Set([...sourceFiles().keys()].map((file) => file.split('/')[0]));
    expect([...floors].filter((floor) => !(floor! in MAY_IMPORT))).toEqual([]);
  });

  it('has no floor importing from a floor above it or beside it', () => {
    const graph = importGraph(sourceFiles());
    expect(graph.get('storage/registry-store.ts')).toContain('mesh/agent.ts');
    expect(floorBreaches(graph)).toEqual([]);
  });

  it('tells the imports, the loops and the breaches apart', () => {
    const files = new Map([
      ['mesh/a.ts', "import type { B } from '../storage/b.js';\nexport const a = 1;"],
      ['storage/b.ts', "export * from './c.js';\nconst c = await import('../mesh/a.js');"],
      ['storage/c.ts', "import './b.js';\nimport { x } from 'node:path';\nconst s = 'from ./nowhere.js';"],
    ]);
    const graph = importGraph(files);
    expect(graph.get('storage/b.ts')).toEqual(['mesh/a.ts', 'storage/c.ts']);
    expect(importCycles(graph)).toEqual(['mesh/a.ts <-> storage/b.ts <-> storage/c.ts']);
    expect(floorBreaches(graph)).toEqual(['mesh/a.ts -> storage/b.ts']);
  });

  it('lets the current protocol build on the legacy one, never the other way round', () => {
    const graph = importGraph(sourceFiles());
    const upward = [...graph].flatMap(([file, targets]) =>
      file.startsWith('registry/legacy-api/')
        ? targets.filter((t) => t.startsWith('registry/current-api/')).map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(graph.get('registry/current-api/routes/heartbeat.ts')).toContain(
      'registry/legacy-api/legacy-heartbeat.ts',
    );
    expect(upward).toEqual([]);
  });

  // Last: a cycle anywhere under src/ (the CLI's included) fails this one.
  it('has no files that import each other in a loop', () => {
    expect(importCycles(importGraph(sourceFiles()))).toEqual([]);
  });
});
