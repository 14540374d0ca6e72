/**
 * `~/.mcp_mesh/services.lock`: one `mcp_mesh_dev` of a home at a time decides whether the registry
 * and an agent run and starts them (`start`, `restart`, `restart-agent`). Without it two runs both
 * find no registry, both start one, and the second record replaces the first, whose registry is
 * then orphaned (issue 18). The holder is named by PID and OS start token, so a lock left by a
 * killed CLI is broken at once, and a recycled PID does not keep it.
 */
import { dirname, join } from 'node:path';
import type { ProcessControl } from '../process/process-control.js';
import { breakIfStale, holderOf, type LockHolder, tryLock, unlock } from './state-lock.js';

const POLL_MS = 100;

export function servicesLockPath(stateFile: string): string {
  return join(dirname(stateFile), 'services.lock');
}

function holderHasExited(processes: ProcessControl) {
  return (holder: LockHolder): boolean => {
    if (!Number.isInteger(holder.pid) || holder.pid <= 0) return holder.ageMs > 10_000;
    if (!processes.isRunning(holder.pid)) return true;
    return holder.token !== undefined && processes.startToken(holder.pid) !== holder.token;
  };
}

/**
 * Runs `work` holding the lock; while another live CLI holds it, waits (telling `onWait` its PID
 * once). The lock goes with the process if it exits while holding it.
 */
export async function withServicesLock<T>(
  lockPath: string,
  processes: ProcessControl,
  work: () => Promise<T>,
  onWait: (holderPid: number) => void = () => {},
): Promise<T> {
  const token = processes.startToken(process.pid);
  const content = token === undefined ? String(process.pid) : `${process.pid} ${token}`;
  let told = false;
  while (!tryLock(lockPath, content)) {
    breakIfStale(lockPath, holderHasExited(processes));
    const holder = holderOf(lockPath);
    if (holder && !told && holder.pid !== process.pid) {
      told = true;
      onWait(holder.pid);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const release = () => unlock(lockPath, content);
  process.once('exit', release);
  try {
    return await work();
  } finally {
    process.off('exit', release);
    release();
  }
}
