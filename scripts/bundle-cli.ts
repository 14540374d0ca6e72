// Bundles the CLI (dist/cli) into dist/cli-bundle: one module for the parser and entry, one chunk
// per command loaded on demand. Fewer files to resolve and compile is most of what separates
// `mcp_mesh_dev --version` from a bare `node -e 0` (bench/cli-startup.ts).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Chunk names change with their content: start empty so no stale chunk is shipped.
rmSync(`${root}dist/cli-bundle`, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outdir: `${root}dist/cli-bundle`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  sourcemap: true,
  logLevel: 'warning',
});
