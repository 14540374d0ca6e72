/** Staged stopping of tracked processes: terminate, wait, force (cli.md §6.7, §8.2). */
import type { Report } from '../service-events.js';
import type { ProcessTracker } from '../state/process-tracker.js';
import type { ProcessControl } from './process-control.js';

const POLL_MS = 50;

/** Resolves true once none of `pids` runs (zombies count as ended), false after `timeoutMs`. */
export function waitForExit(
  processes: ProcessControl,
  pids: readonly number[],
  timeoutMs: number,
): Promise<boolean> {
  return waitUntil(() => pids.every((pid) => !processes.isRunning(pid)), timeoutMs);
}

/** Resolves true once `done()` holds, false after `timeoutMs`. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPERM') return 'access denied';
  return (error as Error).message;
}

/**
 * Stops one tracked process with its process group (what it spawned; the original signalled the PID
 * only, and left those running): SIGTERM, up to `timeoutSeconds` for the group to end, then SIGKILL
 * and 5 s more. Untracked when it ended (also after a force kill). A process that survives SIGKILL
 * stays tracked and the stop reports failure instead of aborting the command (§6.7 [PORT]).
 */
export async function stopTrackedProcess(
  tracker: ProcessTracker,
  processes: ProcessControl,
  report: Report,
  name: string,
  timeoutSeconds: number,
): Promise<boolean> {
  const record = tracker.get(name);
  if (!record) {
    report({ type: 'process-not-found', name });
    return false;
  }
  try {
    processes.terminateGroup(record.pid);
  } catch (error) {
    tracker.untrack(name);
    // Ended since the state was loaded: it is stopped, which is what was asked (the original
    // reported a failure here, §6.7 step 5; a stale record is not an error).
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    report({ type: 'terminate-failed', name, reason: reasonOf(error) });
    return false;
  }
  const groupEnded = () => !processes.isGroupRunning(record.pid);
  if (!(await waitUntil(groupEnded, timeoutSeconds * 1000))) {
    report({ type: 'force-kill', name, pid: record.pid });
    try {
      processes.killGroup(record.pid);
    } catch {
      // Gone between the check and the kill: that is what we wanted.
    }
    if (!(await waitUntil(groupEnded, 5000))) {
      report({ type: 'survived-kill', name, pid: record.pid });
      return false;
    }
  }
  tracker.untrack(name);
  return true;
}

/**
 * Stops a process and its descendants (the shutdown of a foreground `start`, §8.2 b): descendants
 * first, then the root; 10 s grace, then SIGKILL for what remains and 5 s more.
 */
export async function stopProcessTree(
  processes: ProcessControl,
  report: Report,
  pid: number,
): Promise<boolean> {
  const tree = [...processes.descendants(pid), pid];
  for (const member of tree) {
    try {
      processes.terminate(member);
    } catch {
      // Already gone.
    }
  }
  if (await waitForExit(processes, tree, 10_000)) return true;
  const remaining = tree.filter((member) => processes.isRunning(member));
  report({ type: 'tree-force-kill', count: remaining.length });
  for (const member of remaining) {
    try {
      processes.kill(member);
    } catch {
      // Already gone.
    }
  }
  if (await waitForExit(processes, remaining, 5000)) return true;
  for (const member of remaining)
    if (processes.isRunning(member)) report({ type: 'tree-member-survived', pid: member });
  return false;
}
