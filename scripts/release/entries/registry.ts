// The registry's single executable: the same main() as bin/mcp-mesh-registry, bundled into one
// CommonJS file by scripts/release/bundle.ts and run by the Node.js embedded beside it.
import { main } from '../../../src/registry/main.ts';
import { silenceSqliteWarning } from './sea-runtime.ts';

/**
 * `--healthcheck` is for container runtimes, which need a command to probe the registry and an
 * image built from scratch has no curl: it asks /health on the loopback at $PORT and exits 0 only
 * on a 200. Handled here, before main(), so the registry's own arguments stay the original's.
 */
async function probeHealth(): Promise<number> {
  const port = process.env.PORT || '8000';
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3_000) });
    return response.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}

async function run(argv: string[]): Promise<void> {
  silenceSqliteWarning();
  process.exitCode =
    argv[0] === '--healthcheck' && argv.length === 1 ? await probeHealth() : await main(argv);
}

void run(process.argv.slice(2));
