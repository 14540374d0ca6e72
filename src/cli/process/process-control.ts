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
  /**
   * Which process holds the PID, as text that stays the same for the process's whole life and
   * differs for a later process given the same PID, whatever the time zone or the wall clock does
   * (Linux: boot id and start time in clock ticks since boot); undefined if the OS does not tell.
   */
  startToken(pid: number): string | undefined;
  /** Asks the process to stop: SIGTERM on POSIX, an immediate TerminateProcess on Windows. Throws if it is gone. */
  terminate(pid: number): void;
  /** Stops it hard: SIGKILL, or `taskkill /F /T`. */
  kill(pid: number): void;
  /**
   * Asks the process and everything in its process group to stop (the CLI starts each service as
   * the leader of its own group, so what it spawned goes too): SIGTERM to the group on POSIX when
   * the PID leads one that is not the CLI's own, else to the PID; the tree's hard stop on Windows.
   * Throws if the process is gone.
   */
  terminateGroup(pid: number): void;
  /** Stops the group hard: SIGKILL to it (or the PID, as above); `taskkill /F /T` on Windows. */
  killGroup(pid: number): void;
  /** Whether the process or any live member of the group it leads still runs (zombies count as ended). */
  isGroupRunning(pid: number): boolean;
  /** All descendants, children before grandchildren. */
  descendants(pid: number): number[];
  /** TCP ports the process listens on (to recognise an agent by the endpoint it registered). */
  listeningPorts(pid: number): number[];
  /** Resident memory in bytes, when the OS tells. */
  residentBytes(pid: number): number | undefined;
}
