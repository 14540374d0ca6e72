// Where the test prerequisites that are not npm packages live between runs: the Python venvs of
// the SDK, the upstream meshctl, and Helm. Outside the checkout, so that a clone stays small and
// several clones share one copy; delete the folder to start over.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CACHE_HOME/mcp-mesh-control-plane`, else `~/.cache/mcp-mesh-control-plane`. */
export const CACHE_DIR = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'mcp-mesh-control-plane',
);
