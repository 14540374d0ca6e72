import { MeshError } from '../shared/errors.js';

export const PROG = 'mcp-mesh-registry';
export const USAGE = `usage: ${PROG} [-h] [--host HOST] [--port PORT] [--version]`;
export const HELP = `${USAGE}

MCP Mesh Registry Service

options:
  -h, --help   show this help message and exit
  --host HOST  Host to bind to (default: localhost)
  --port PORT  Port to bind to (default: 8000)
  --version    show version information and exit
`;
/** The registry's version (`--version`, `mcp_mesh_registry_build_info`). */
export const REGISTRY_VERSION = '0.1.0';
export const VERSION_TEXT = `MCP Mesh Registry Service v${REGISTRY_VERSION}\nBuilt on FastMCP and Kubernetes API Server patterns\n`;

export type RegistryArgs =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; host?: string; port?: number };

/** An argparse-style usage error: usage line, then `prog: error: …`, exit code 2 (spec §10.1). */
export class UsageError extends MeshError {
  constructor(message: string) {
    super('USAGE', `${USAGE}\n${PROG}: error: ${message}\n`);
  }
}

const OPTIONS = ['--help', '--host', '--port', '--version'] as const;

/** Resolves an option as argparse does: exact, or an unambiguous prefix (`--ver`). */
function resolveOption(name: string): string | undefined {
  if ((OPTIONS as readonly string[]).includes(name)) return name;
  const matches = OPTIONS.filter((option) => option.startsWith(name));
  if (matches.length > 1) throw new UsageError(`ambiguous option: ${name} could match ${matches.join(', ')}`);
  return matches[0];
}

/** Parses the registry's command line with argparse's rules and messages. */
export function parseRegistryArgs(argv: readonly string[]): RegistryArgs {
  const result: { host?: string; port?: number } = {};
  const unrecognized: string[] = [];
  let wantsVersion = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--') || arg === '--') {
      unrecognized.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const option = resolveOption(eq === -1 ? arg : arg.slice(0, eq));
    if (option === undefined) {
      unrecognized.push(arg);
      continue;
    }
    if (option === '--help') return { kind: 'help' };
    if (option === '--version') {
      if (eq !== -1)
        throw new UsageError(`argument --version: ignored explicit argument '${arg.slice(eq + 1)}'`);
      wantsVersion = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('-') && value.length > 1 && !/^-\d/.test(value))) {
        throw new UsageError(`argument ${option}: expected one argument`);
      }
      i++;
    }
    if (option === '--host') result.host = value;
    else {
      if (!/^\s*[+-]?\d+\s*$/.test(value))
        throw new UsageError(`argument --port: invalid int value: '${value}'`);
      result.port = Number(value);
      // Checked here, before the banner, rather than by the bind that would fail after it.
      if (result.port < 0 || result.port > 65535)
        throw new UsageError(`argument --port: ${result.port} is not a port number (0-65535)`);
    }
  }
  if (unrecognized.length > 0) throw new UsageError(`unrecognized arguments: ${unrecognized.join(' ')}`);
  if (wantsVersion) return { kind: 'version' };
  return { kind: 'run', ...result };
}
