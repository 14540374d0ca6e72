/**
 * The repository runs on its own: no tracked file outside test/fixtures reads the `shared` folder
 * that sits beside the checkout (the fixtures the tests need are copied into test/fixtures).
 * A path counts when it resolves outside the repository into that folder; `../shared/clock.js`
 * imported from a file of src/registry resolves to src/shared and is fine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/registry-process.js';

const ROOT = resolve(REPO_ROOT);
const SIBLING = join(dirname(ROOT), 'shared');
const THIS_FILE = 'test/repository/self-contained.test.ts';

const isInSibling = (path: string) => path === SIBLING || path.startsWith(SIBLING + sep);
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Paths written as one string: `../../shared/x`, resolved from the file's folder (imports) or also the repository (reads). */
const RELATIVE = /(?<![\w./-])((?:\.\/)?(?:\.\.\/)+shared)(?=[/'"`\s)]|$)/g;
/** Paths built from segments: `join(BASE, '..', …'shared')`, resolved from the base's folder. */
const SEGMENTS = /([\w.]+)\s*,\s*((?:(['"])\.\.\3\s*,\s*)+)(['"])shared\4/g;
const IMPORT_BEFORE = /(?:\bfrom|\bimport\s*\(|\brequire\s*\()\s*['"]$/;

/** Where `file` (relative to the repository) reads the sibling folder: `line: text` for each. */
function siblingReads(file: string, text: string): string[] {
  const folder = dirname(join(ROOT, file));
  const found: string[] = [];
  const report = (index: number, what: string) => found.push(`${file}:${lineOf(text, index)}: ${what}`);

  for (const match of text.matchAll(RELATIVE)) {
    const path = match[1]!;
    const isImport = IMPORT_BEFORE.test(text.slice(Math.max(0, match.index - 20), match.index));
    const bases = isImport ? [folder] : [folder, ROOT];
    if (bases.some((base) => isInSibling(resolve(base, path)))) report(match.index, path);
  }
  for (const match of text.matchAll(SEGMENTS)) {
    const ups = match[2]!.match(/\.\./g)!.length;
    const base = /root|cwd/i.test(match[1]!) ? ROOT : folder;
    if (isInSibling(resolve(base, ...Array<string>(ups).fill('..'), 'shared'))) report(match.index, match[0]);
  }
  for (const absolute of new Set([SIBLING, '/work/shared'])) {
    const pattern = new RegExp(
      `(?<![\\w./-])${absolute.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`,
      'g',
    );
    for (const match of text.matchAll(pattern)) report(match.index, match[0]);
  }
  return found;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file !== '' && !file.startsWith('test/fixtures/') && file !== THIS_FILE);
}

describe('the repository is self-contained', () => {
  it('has no tracked file outside test/fixtures that reads the shared folder beside the checkout', () => {
    const files = trackedFiles();
    expect(files).toContain('src/registry/main.ts');
    const reads = files.flatMap((file) => {
      let content: Buffer;
      try {
        content = readFileSync(join(ROOT, file));
      } catch {
        return []; // Deleted in the work tree, not yet in the index.
      }
      return content.includes(0) ? [] : siblingReads(file, content.toString('utf8'));
    });
    expect(reads).toEqual([]);
  });

  it('tells a read of the sibling folder from an import of src/shared', () => {
    const at = (file: string, text: string) => siblingReads(file, text).length;
    // Inside the repository: src/shared, imported or joined from a neighbouring folder.
    expect(at('src/registry/main.ts', "import { x } from '../shared/clock.js';")).toBe(0);
    expect(at('src/cli/commands/x.ts', "await import('../../shared/errors.js');")).toBe(0);
    expect(at('src/cli/x.ts', "join(import.meta.dirname, '..', " + "'shared')")).toBe(0);
    // Outside: each way the tests used to read the sibling folder.
    // (The samples are split so that a plain grep of the repository for such reads finds none here.)
    expect(at('test/cli/x.test.ts', "new URL('../../../shared/" + "fixtures/cli/', import.meta.url)")).toBe(
      1,
    );
    expect(at('test/x.test.ts', "join(REPO_ROOT, '..', " + "'shared', 'fixtures', 'legacy')")).toBe(1);
    expect(at('test/e2e/agents/README.md', `(see \`${SIBLING}/fixtures/current/x.json\`)`)).toBe(1);
    expect(at('.ci/run', 'cat ../shared/' + 'spec/cli.md')).toBe(1);
    // A checkout whose own path ends in /work/<name> (CI clones into such folders) counts once, not twice.
    expect(at('x.md', '/tmp/ci/work/' + 'shared/spec')).toBe(SIBLING === '/tmp/ci/work/shared' ? 1 : 0);
  });
});
