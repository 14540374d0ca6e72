import { join } from 'node:path';

/** `~/.mcp_mesh/cli_config.json`, fixed (cli.md §3.1); kept apart so `config path` loads nothing else. */
export function configPath(home: string): string {
  return join(home, '.mcp_mesh', 'cli_config.json');
}
