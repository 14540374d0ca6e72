/**
 * The diagnostic line of each service event, in the original's words (cli.md §9.1): the bare
 * message on stderr, as its unconfigured logging wrote it.
 */
import type { CliOutput } from '../context.js';
import type { Report, ServiceEvent } from '../service-events.js';

const FILE_PROBLEMS = {
  missing: 'Agent file not found',
  'not-a-file': 'Agent path is not a file',
  unreadable: 'Agent file is not readable',
} as const;

export function serviceEventText(event: ServiceEvent): string {
  switch (event.type) {
    case 'process-not-found':
      return `Process ${event.name} not found for termination`;
    case 'terminate-failed':
      return `Failed to terminate ${event.name}: ${event.reason}`;
    case 'force-kill':
      return `Force killing ${event.name} (PID: ${event.pid})`;
    case 'survived-kill':
      return `Failed to terminate ${event.name}: process ${event.pid} still running after SIGKILL`;
    case 'tree-force-kill':
      return `Force killing ${event.count} remaining processes`;
    case 'tree-member-survived':
      return `Failed to terminate process ${event.pid}`;
    case 'database-init-failed':
      return `Failed to initialize database ${event.dbPath}: ${event.reason}`;
    case 'port-in-use':
      return `Port ${event.port} is already in use`;
    case 'no-free-port':
      return `Failed to find available port: ${event.reason}`;
    case 'registry-not-ready':
      return `Registry service not ready after ${event.seconds} seconds`;
    case 'registry-exited':
      return `Registry service failed to start: ${event.output}`;
    case 'registry-start-failed':
      return `Failed to start registry service: ${event.reason}`;
    case 'registry-ready-timeout':
      return 'Registry started but not ready within timeout';
    case 'registry-unavailable':
      return `Failed to start registry: ${event.reason}`;
    case 'registry-stop-failed':
      return 'Failed to stop registry service gracefully';
    case 'agent-file-invalid':
      return `${FILE_PROBLEMS[event.problem]}: ${event.path}`;
    case 'agent-file-not-python':
      return `Agent file does not have .py extension: ${event.path}`;
    case 'no-registry-environment':
      return 'No registry environment variables available from registry manager';
    case 'registry-state-missing':
      return `Registry state not available when starting agent ${event.name}. Agent may not connect to registry properly.`;
    case 'agent-start-failed':
      return `Failed to start agent ${event.name}: ${event.reason}`;
    case 'agent-exited':
      return `Agent ${event.name} exited during startup. Return code: ${event.code}`;
    case 'agent-output':
      return `Agent ${event.name} output: ${event.output}`;
    case 'agent-missing-sdk':
      return (
        `Hint: ${event.python} cannot import the MCP Mesh SDK. Activate the virtual environment where the ` +
        'mcp-mesh SDK is installed (or install it there: pip install mcp-mesh), then run the command again.'
      );
    case 'agent-not-registered':
      return `Agent ${event.name} not registered after ${event.seconds} seconds`;
    case 'agent-stop-failed':
      return `Failed to stop agent ${event.name} gracefully`;
    case 'agent-stop-failed-restarting':
      return `Failed to stop agent ${event.name} gracefully, proceeding with restart`;
    case 'agent-restart-failed':
      return `Failed to restart agent ${event.name}: ${event.reason}`;
    case 'agent-restart-unregistered':
      return `Agent ${event.name} restarted but did not register within timeout`;
    case 'state-load-failed':
      return `Failed to load process state: ${event.reason}`;
    case 'record-invalid':
      return `Failed to restore process ${event.name}: invalid process record`;
    case 'state-save-failed':
      return `Failed to save process state: ${event.reason}`;
    case 'record-kept-elsewhere':
      return `Process ${event.name} is also tracked in ${event.source} (PID ${event.pid}); left there`;
    case 'log-refused':
      return `Output of ${event.name} is not kept: ${event.reason}`;
    case 'services-locked':
      return `Waiting for another mcp_mesh_dev (PID ${event.pid}) to finish starting services`;
  }
}

/** A report that writes each event's line to the output's diagnostics. */
export function reportTo(out: CliOutput): Report {
  return (event) => out.log(serviceEventText(event));
}
