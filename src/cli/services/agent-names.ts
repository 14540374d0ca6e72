/** Finding a tracked agent by what the user typed (`provider`, or its file `provider.py`). */
import { basename } from 'node:path';
import type { ProcessRecord, ProcessTracker } from '../state/process-tracker.js';
import { agentNameOf } from './agent-service.js';

/**
 * The tracked record for `input`: the name itself, or, when `input` is an agent's file (`provider.py`,
 * `../agents/provider.py`), the agent started from a file of that name. Agent names are file stems
 * (cli.md §6.1), so the file names at most one agent; a file of another name matches nothing.
 */
export function findTracked(tracker: ProcessTracker, input: string): ProcessRecord | undefined {
  const exact = tracker.get(input);
  if (exact) return exact;
  const stem = agentNameOf(input);
  if (stem === input) return undefined;
  const candidate = tracker.get(stem);
  const file = candidate?.metadata.agent_file;
  return typeof file === 'string' && basename(file) === basename(input) ? candidate : undefined;
}

/** The line that follows a "not found" message: the tracked agents, in tracking order, if any. */
export function runningAgentsLine(tracker: ProcessTracker): string | undefined {
  const names = tracker.byType('agent').map((record) => record.name);
  return names.length > 0 ? `Running agents: ${names.join(', ')}` : undefined;
}
