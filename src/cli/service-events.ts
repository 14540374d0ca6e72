/**
 * What services and process control tell the command running them, as data. Services never print:
 * they pass these to the `Report` a command gave them, and the command decides how each is shown
 * (`output/service-event-text.ts` renders the original's diagnostic lines, cli.md §9.1).
 */

/** Stopping a tracked process or a process tree (§6.7, §8.2). */
export type StopEvent =
  | { type: 'process-not-found'; name: string }
  | { type: 'terminate-failed'; name: string; reason: string }
  | { type: 'force-kill'; name: string; pid: number }
  | { type: 'survived-kill'; name: string; pid: number }
  | { type: 'tree-force-kill'; count: number }
  | { type: 'tree-member-survived'; pid: number };

/** Starting, stopping and restarting the registry (§5). */
export type RegistryEvent =
  | { type: 'database-init-failed'; dbPath: string; reason: string }
  | { type: 'port-in-use'; port: number }
  | { type: 'no-free-port'; reason: string }
  | { type: 'registry-not-ready'; seconds: number }
  | { type: 'registry-exited'; output: string }
  | { type: 'registry-start-failed'; reason: string }
  | { type: 'registry-ready-timeout' }
  | { type: 'registry-unavailable'; reason: string }
  | { type: 'registry-stop-failed' };

/** Launching, watching, stopping and restarting agents (§6). */
export type AgentEvent =
  | { type: 'agent-file-invalid'; problem: 'missing' | 'not-a-file' | 'unreadable'; path: string }
  | { type: 'agent-file-not-python'; path: string }
  | { type: 'no-registry-environment' }
  | { type: 'registry-state-missing'; name: string }
  | { type: 'agent-start-failed'; name: string; reason: string }
  | { type: 'agent-exited'; name: string; code: number | null }
  | { type: 'agent-output'; name: string; output: string }
  | { type: 'agent-missing-sdk'; python: string }
  | { type: 'agent-not-registered'; name: string; seconds: number }
  | { type: 'agent-stop-failed'; name: string }
  | { type: 'agent-stop-failed-restarting'; name: string }
  | { type: 'agent-restart-failed'; name: string; reason: string }
  | { type: 'agent-restart-unregistered'; name: string };

/** Reading and writing the process state file (§4.3). */
export type StateEvent =
  | { type: 'state-load-failed'; reason: string }
  | { type: 'record-invalid'; name: string }
  | { type: 'state-save-failed'; reason: string }
  | { type: 'record-kept-elsewhere'; name: string; source: string; pid: number }
  | { type: 'log-refused'; name: string; reason: string }
  | { type: 'services-locked'; pid: number };

/** A foreground `start` keeping its agents running (`auto_restart`, `watch_files`). */
export type SupervisorEvent =
  | { type: 'agent-file-changed'; name: string; file: string }
  | { type: 'agent-exited-restarting'; name: string; pid: number }
  | { type: 'agent-restarted'; name: string; pid: number }
  | { type: 'agent-restarted-unregistered'; name: string; pid: number }
  | { type: 'agent-restart-given-up'; name: string; attempts: number }
  | { type: 'agent-supervision-failed'; reason: string };

export type ServiceEvent = StopEvent | RegistryEvent | AgentEvent | StateEvent;

/** Where a service sends its events, in the order they happen. */
export type Report = (event: ServiceEvent) => void;

/** A report that drops everything (a failed `start` stops its agents silently, §7.1). */
export const IGNORE: Report = () => {};
