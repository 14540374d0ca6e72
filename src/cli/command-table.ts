/**
 * Every command, flag and help text of `mcp_mesh_dev` (cli.md §1.2–§1.3), as data. Command code is
 * not imported here: `main.ts` loads one command module after parsing.
 */

import type { ParsedValues } from './args/parsed-values.js';
import type { OptionSpec, ParserSpec } from './args/parser-spec.js';

export const CLI_VERSION = 'mcp_mesh_dev 1.0.0-alpha';
export const PROG = 'mcp_mesh_dev';

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

const timeoutOption = {
  flag: '--timeout',
  dest: 'timeout',
  kind: 'int',
  metavar: 'SECONDS',
  default: 30,
  help: 'Timeout in seconds for graceful shutdown (default: 30)',
} as const satisfies OptionSpec;

const start = {
  prog: `${PROG} start`,
  description:
    'Start the registry (unless one this CLI started is already running) and then each agent file given, ' +
    'and wait until the agents have registered.',
  positionals: [
    { name: 'AGENT_FILE', dest: 'agent_files', nargs: '*', help: 'Path to agent files to start (optional)' },
  ],
  options: [
    {
      flag: '--registry-port',
      dest: 'registry_port',
      kind: 'int',
      metavar: 'PORT',
      help: 'Port for the registry service (default: 8080)',
    },
    {
      flag: '--registry-host',
      dest: 'registry_host',
      kind: 'string',
      metavar: 'HOST',
      help: 'Host for the registry service (default: localhost)',
    },
    {
      flag: '--db-path',
      dest: 'db_path',
      kind: 'string',
      metavar: 'PATH',
      help: 'Path to SQLite database file (default: ./dev_registry.db)',
    },
    {
      flag: '--log-level',
      dest: 'log_level',
      kind: 'choice',
      choices: LOG_LEVELS,
      help: 'Logging level (default: INFO)',
    },
    {
      flag: '--health-check-interval',
      dest: 'health_check_interval',
      kind: 'int',
      metavar: 'SECONDS',
      help: 'Health check interval in seconds (default: 30)',
    },
    { flag: '--debug', dest: 'debug', kind: 'flag', help: 'Enable debug mode' },
    {
      flag: '--startup-timeout',
      dest: 'startup_timeout',
      kind: 'int',
      metavar: 'SECONDS',
      help: 'Startup timeout in seconds (default: 30)',
    },
    {
      flag: '--registry-only',
      dest: 'registry_only',
      kind: 'flag',
      help: 'Start only the registry, no agents',
    },
    { flag: '--background', dest: 'background', kind: 'flag', help: 'Run services in background' },
  ],
} as const satisfies ParserSpec;

const stop = {
  prog: `${PROG} stop`,
  description: 'Stop the agents and the registry this CLI started, or one agent with --agent.',
  positionals: [],
  options: [
    { flag: '--force', dest: 'force', kind: 'flag', help: 'Force stop services without graceful shutdown' },
    timeoutOption,
    {
      flag: '--agent',
      dest: 'agent',
      kind: 'string',
      metavar: 'AGENT_NAME',
      help: 'Stop only the specified agent',
    },
  ],
} as const satisfies ParserSpec;

const restart = {
  prog: `${PROG} restart`,
  description: 'Restart the registry on the port and database of its previous run.',
  positionals: [],
  options: [
    timeoutOption,
    {
      flag: '--reset-config',
      dest: 'reset_config',
      kind: 'flag',
      help: 'Reset to default configuration instead of preserving current settings',
    },
  ],
} as const satisfies ParserSpec;

const restartAgent = {
  prog: `${PROG} restart-agent`,
  description: 'Stop one agent, start its file again and wait until it has registered.',
  positionals: [{ name: 'AGENT_NAME', dest: 'agent_name', nargs: 1, help: 'Name of the agent to restart' }],
  options: [timeoutOption],
} as const satisfies ParserSpec;

const status = {
  prog: `${PROG} status`,
  description:
    'Show whether the registry and the agents this CLI started are running, registered and healthy.',
  positionals: [],
  options: [
    { flag: '--verbose', dest: 'verbose', kind: 'flag', help: 'Show detailed status information' },
    { flag: '--json', dest: 'json', kind: 'flag', help: 'Output status in JSON format' },
  ],
} as const satisfies ParserSpec;

const list = {
  prog: `${PROG} list`,
  description: 'List the agents the registry knows and the agent processes this CLI started.',
  positionals: [],
  options: [
    { flag: '--agents', dest: 'agents', kind: 'flag', help: 'Show only agents' },
    { flag: '--services', dest: 'services', kind: 'flag', help: 'Show only services' },
    { flag: '--filter', dest: 'filter', kind: 'string', metavar: 'PATTERN', help: 'Filter by name pattern' },
    { flag: '--json', dest: 'json', kind: 'flag', help: 'Output in JSON format' },
  ],
} as const satisfies ParserSpec;

const logs = {
  prog: `${PROG} logs`,
  description: 'Show the tracked services, or the log file of one agent with --agent.',
  positionals: [],
  options: [
    { flag: '--follow', dest: 'follow', kind: 'flag', help: 'Follow log output in real-time' },
    {
      flag: '--agent',
      dest: 'agent',
      kind: 'string',
      metavar: 'AGENT_NAME',
      help: 'Show logs for specific agent',
    },
    {
      flag: '--level',
      dest: 'level',
      kind: 'choice',
      choices: ['DEBUG', 'INFO', 'WARNING', 'ERROR'],
      default: 'INFO',
      help: 'Minimum log level to display',
    },
    {
      flag: '--lines',
      dest: 'lines',
      kind: 'int',
      metavar: 'N',
      default: 50,
      help: 'Number of recent log lines to show (default: 50)',
    },
  ],
} as const satisfies ParserSpec;

const config = {
  prog: `${PROG} config`,
  description: `Show and change the settings in ~/.mcp_mesh/cli_config.json.`,
  positionals: [],
  options: [],
  subcommands: {
    dest: 'action',
    metavar: 'ACTION',
    title: 'Configuration actions',
    commands: [
      {
        name: 'show',
        help: 'Show current configuration',
        parser: {
          prog: `${PROG} config show`,
          positionals: [],
          options: [
            {
              flag: '--format',
              dest: 'format',
              kind: 'choice',
              choices: ['yaml', 'json'],
              default: 'yaml',
              help: 'Output format (default: yaml)',
            },
          ],
        },
      },
      {
        name: 'set',
        help: 'Set configuration value',
        parser: {
          prog: `${PROG} config set`,
          options: [],
          positionals: [
            { name: 'key', dest: 'key', nargs: 1, help: 'Configuration key to set' },
            { name: 'value', dest: 'value', nargs: 1, help: 'Configuration value to set' },
          ],
        },
      },
      {
        name: 'reset',
        help: 'Reset configuration to defaults',
        parser: { prog: `${PROG} config reset`, positionals: [], options: [] },
      },
      {
        name: 'path',
        help: 'Show configuration file path',
        parser: { prog: `${PROG} config path`, positionals: [], options: [] },
      },
      {
        name: 'save',
        help: 'Save current configuration as defaults',
        parser: { prog: `${PROG} config save`, positionals: [], options: [] },
      },
    ],
  },
} as const satisfies ParserSpec;

const DESCRIPTION = `MCP Mesh Developer CLI: runs a local registry and your Python agents while you develop.

examples:
  mcp_mesh_dev start                      # the registry alone
  mcp_mesh_dev start agent.py other.py    # the registry and two agents
  mcp_mesh_dev start --background agent.py
  mcp_mesh_dev status                     # what runs, what is registered
  mcp_mesh_dev list                       # agents the registry knows
  mcp_mesh_dev logs --agent agent         # one agent's log
  mcp_mesh_dev stop                       # stop everything started here

common workflows:
  edit an agent, then: mcp_mesh_dev restart-agent <name>
  change a default:    mcp_mesh_dev config set registry_port 9000`;

const EPILOG = `troubleshooting:
  port 8080 taken?   the registry moves to the next free port, or pass --registry-port
  something missing? mcp_mesh_dev status shows what runs and what registered
  agent quiet?       mcp_mesh_dev logs --agent <name> shows its output
  agents must speak MCP and register with the mesh registry to be listed

shell completion:
  source <(mcp_mesh_dev completion bash)   # or zsh

report issues: https://github.com/dhyansraj/mcp-mesh/issues`;

/** Each command's parser, by command name. */
const COMMAND_PARSERS = {
  start,
  stop,
  restart,
  'restart-agent': restartAgent,
  status,
  list,
  logs,
  config,
} as const;

export type CommandName = keyof typeof COMMAND_PARSERS;

/** The arguments each command's `run` receives, derived from its parser above. */
export type CommandArgs = { [K in CommandName]: ParsedValues<(typeof COMMAND_PARSERS)[K]> };

/** The top-level parser; its sub-parsers in the order of cli.md §1.3. */
export const TOP_PARSER: ParserSpec = {
  prog: PROG,
  description: DESCRIPTION,
  epilog: EPILOG,
  version: CLI_VERSION,
  positionals: [],
  options: [],
  subcommands: {
    dest: 'command',
    metavar: 'COMMAND',
    title: 'Available commands',
    commands: [
      { name: 'start', help: 'Start MCP Mesh services', parser: start },
      { name: 'stop', help: 'Stop MCP Mesh services', parser: stop },
      { name: 'restart', help: 'Restart MCP Mesh registry service', parser: restart },
      { name: 'restart-agent', help: 'Restart a specific agent', parser: restartAgent },
      { name: 'status', help: 'Show status of MCP Mesh services', parser: status },
      { name: 'list', help: 'List available agents and services', parser: list },
      { name: 'logs', help: 'Show logs for MCP Mesh services', parser: logs },
      { name: 'config', help: 'Manage CLI configuration', parser: config },
    ],
  },
};
