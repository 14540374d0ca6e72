import type { CliOutput } from '../context.js';
import { runningAgentsLine } from '../services/agent-names.js';
import type { ProcessTracker } from '../state/process-tracker.js';

/** Prints a command's "agent not found" error, then the agents that are running, if any; exit code 1. */
export function printAgentNotFound(out: CliOutput, tracker: ProcessTracker, message: string): 1 {
  out.error(message);
  const running = runningAgentsLine(tracker);
  if (running) out.info(running);
  return 1;
}
