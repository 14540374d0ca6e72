/**
 * Everything the CLI asks the operating system about processes, behind one interface so the
 * POSIX and Windows differences (signals, zombies, process groups, tools) stay in one place each.
 * This module holds only the interface; the implementations import it, and
 * `platform-process-control.ts` picks one, so no module imports back up.
 */

export interface ProcessControl {
  /** The process exists and is not a zombie (cli.md §4.3). */
  isRunning(pid: number): boolean;
  /** When the OS started the process (epoch ms), to tell a recycled PID from ours; undefined if unknown. */
  startTime(pid: number): number | undefined;
  /** Asks the process to stop: SIGTERM on POSIX, an immediate TerminateProcess on Windows. Throws if it is gone. */
  terminate(pid: number): void;
  /** Stops it hard: SIGKILL, or `taskkill /F /T`. */
  kill(pid: number): void;
  /** All descendants, children before grandchildren. */
  descendants(pid: number): number[];
  /** TCP ports the process listens on (to recognise an agent by the endpoint it registered). */
  listeningPorts(pid: number): number[];
  /** Resident memory in bytes, when the OS tells. */
  residentBytes(pid: number): number | undefined;
}
