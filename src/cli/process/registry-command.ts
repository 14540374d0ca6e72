/**
 * The argv that starts our own registry (cli.md §5.8): the `mcp-mesh-registry` of this package on
 * the Node running the CLI, or, inside a single executable, the registry executable beside it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function isSingleExecutable(): boolean {
  try {
    const sea = createRequire(import.meta.url)('node:sea') as { isSea(): boolean };
    return sea.isSea();
  } catch {
    return false;
  }
}

export function registryCommand(host: string, port: number): string[] {
  const args = ['--host', host, '--port', String(port)];
  if (isSingleExecutable()) {
    const name = process.platform === 'win32' ? 'mcp-mesh-registry.exe' : 'mcp-mesh-registry';
    return [join(dirname(process.execPath), name), ...args];
  }
  // The package's bin/ is a few levels up from dist/cli/process/ (or dist/cli-bundle/ when bundled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4 && !existsSync(join(dir, 'bin', 'mcp-mesh-registry')); level++)
    dir = dirname(dir);
  return [process.execPath, join(dir, 'bin', 'mcp-mesh-registry'), ...args];
}
