// Both executables need Node >= 22.13 (node:sqlite, module.enableCompileCache). Started from a
// checkout by an older Node, they hand over to the Node 24 that `npm ci` installed beside them.
// Loaded only in that case, so a normal start does not pay for it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function isSupportedNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

/** Re-runs `script` on the local Node 24 and mirrors its exit, or exits 1 when there is none. */
export function handOver(script, name) {
  const local = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(`${name} needs Node.js 22.13 or newer (this is ${process.version}).\n`);
    process.exit(1);
  }
  const child = spawn(local, [fileURLToPath(script), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
}
