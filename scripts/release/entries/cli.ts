// The developer CLI's single executable: the same main() as bin/mcp_mesh_dev, bundled into one
// CommonJS file. Run as a single executable, the CLI starts the registry's single executable
// that sits beside it (src/cli/process/registry-command.ts).
import { main } from '../../../src/cli/main.ts';
import { silenceSqliteWarning } from './sea-runtime.ts';

async function run(argv: string[]): Promise<void> {
  silenceSqliteWarning();
  process.exitCode = await main(argv);
}

void run(process.argv.slice(2));
