/**
 * What a foreground `start` does for its agents while it runs (config `auto_restart` and
 * `watch_files`, cli.md §3.2, which the original declared and never used): an agent whose process
 * ends is started again, and an agent whose file changes is restarted (stop, start, wait for
 * registration, as `restart-agent` does). Restarts take the services lock, so they never race a
 * `stop` or `restart-agent` from another terminal; an agent that a `stop` removed is left alone.
 */
import { statSync } from 'node:fs';
import type { SupervisorEvent } from '../service-events.js';
import { launchAgent, restartAgent, validateAgentFile, waitForRegistration } from './agent-service.js';
import { exclusively, type LocalMesh } from './local-mesh.js';

export interface SupervisorOptions {
  /** Start an agent again when its process ends (`auto_restart`). */
  restartOnExit: boolean;
  /** Restart an agent when its file changes (`watch_files`). */
  restartOnChange: boolean;
  /** How often processes and files are looked at (ms). */
  pollMs?: number;
  /** Restarts after an exit that in turn fail or end at once before the agent is given up. */
  maxFailedRestarts?: number;
}

export interface AgentSupervisor {
  /** Stops watching; resolves once a restart under way has finished (so a shutdown sees its process). */
  stop(): Promise<void>;
}

const DEFAULT_POLL_MS = 1000;
const DEFAULT_MAX_FAILED_RESTARTS = 3;
/** A file change is acted on once the file has been still this long (editors write in steps). */
const SETTLE_MS = 300;

interface Watched {
  name: string;
  file: string;
  /** The file's last modification seen (mtime and size), '' when it could not be read. */
  signature: string;
  failedRestarts: number;
  givenUp: boolean;
}

function fileSignature(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function superviseAgents(
  mesh: LocalMesh,
  names: readonly string[],
  options: SupervisorOptions,
  report: (event: SupervisorEvent) => void,
): AgentSupervisor {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const maxFailed = options.maxFailedRestarts ?? DEFAULT_MAX_FAILED_RESTARTS;
  const watched: Watched[] = [];
  for (const name of names) {
    const file = mesh.tracker.get(name)?.metadata.agent_file;
    if (typeof file === 'string') {
      watched.push({ name, file, signature: fileSignature(file), failedRestarts: 0, givenUp: false });
    }
  }
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();

  /** The record of an agent whose process has ended, while the state file still holds it. */
  const endedRecord = (name: string) =>
    mesh.tracker.get(name) ? undefined : mesh.tracker.stale().records.find((record) => record.name === name);

  /** Starts an ended agent's file again and waits for its registration (as `restart-agent` does). */
  const startAgain = async (agent: Watched) => {
    try {
      const launched = await (await launchAgent(mesh, validateAgentFile(mesh, agent.file))).settled;
      return (await waitForRegistration(mesh, launched, mesh.config.startup_timeout)) ? launched : undefined;
    } catch {
      return undefined; // launchAgent has reported why.
    }
  };

  const restart = async (agent: Watched, why: 'exit' | 'change') => {
    const record = await exclusively(mesh, async () => {
      // A `stop` elsewhere removed it: not ours to bring back.
      if (stopped) return 'untracked' as const;
      if (why === 'exit') return endedRecord(agent.name) ? startAgain(agent) : ('untracked' as const);
      if (!mesh.tracker.get(agent.name)) return 'untracked' as const;
      return restartAgent(mesh, agent.name, mesh.config.shutdown_timeout);
    });
    if (record === 'untracked') return;
    agent.signature = fileSignature(agent.file);
    if (record) {
      agent.failedRestarts = 0;
      report({ type: 'agent-restarted', name: agent.name, pid: record.pid });
      return;
    }
    const running = mesh.tracker.get(agent.name);
    if (running) {
      report({ type: 'agent-restarted-unregistered', name: agent.name, pid: running.pid });
      return;
    }
    if (why === 'exit' && ++agent.failedRestarts >= maxFailed) {
      agent.givenUp = true;
      report({ type: 'agent-restart-given-up', name: agent.name, attempts: agent.failedRestarts });
    }
  };

  const check = async () => {
    mesh.tracker.reload();
    for (const agent of watched) {
      if (stopped) return;
      const record = mesh.tracker.get(agent.name);
      if (!record) {
        const ended = endedRecord(agent.name);
        if (!ended || !options.restartOnExit || agent.givenUp) continue;
        // Give a `stop` from another terminal, which signals first and untracks after, time to finish.
        await sleep(pollMs);
        mesh.tracker.reload();
        if (stopped || endedRecord(agent.name)?.pid !== ended.pid) continue;
        report({ type: 'agent-exited-restarting', name: agent.name, pid: ended.pid });
        await restart(agent, 'exit');
        continue;
      }
      if (options.restartOnChange) {
        const signature = fileSignature(agent.file);
        if (signature !== '' && signature !== agent.signature) {
          await sleep(SETTLE_MS);
          if (stopped) return;
          const settled = fileSignature(agent.file);
          if (settled !== signature) continue; // Still being written: next round.
          agent.givenUp = false;
          agent.failedRestarts = 0;
          report({ type: 'agent-file-changed', name: agent.name, file: agent.file });
          await restart(agent, 'change');
        }
      }
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      busy = check()
        .catch((error: unknown) =>
          report({ type: 'agent-supervision-failed', reason: (error as Error).message }),
        )
        .finally(schedule);
    }, pollMs);
  };
  if (watched.length > 0 && (options.restartOnExit || options.restartOnChange)) schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await busy;
    },
  };
}
