// Both executables need Node >= 22.13 (node:sqlite, module.enableCompileCache). Started from a
// checkout by an older Node, they hand over to the Node 24 that `npm ci` installed beside them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this Node is new enough; otherwise re-runs `script` on the local Node 24 (or exits 1). */
export function runsOnSupportedNode(script, name) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 13)) return true;
  const local = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    process.stderr.write(`${name} needs Node.js 22.13 or newer (this is ${process.version}).\n`);
    process.exit(1);
  }
  const child = spawn(local, [fileURLToPath(script), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
  return false;
}

/** node:sqlite works but is still flagged experimental; its start-up warning would only confuse users. */
export function silenceSqliteWarning() {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (String(warning).includes('SQLite')) return;
    return emitWarning.call(process, warning, ...rest);
  };
}
