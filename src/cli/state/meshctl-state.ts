/**
 * Living beside the upstream Go CLI `meshctl` (checked against 3.7.1), whose state directory is
 * `~/.mcp-mesh/`. What it does to ours, read from its code and seen running it:
 *
 * - When `~/.mcp-mesh/processes.json` does not exist, any meshctl command that reads its process
 *   list (`meshctl list`, `meshctl start`) moves `~/.mcp_mesh/processes.json` there: copy, then
 *   delete the original. Our records then sit in meshctl's file, which meshctl itself ignores.
 * - meshctl writes that file in its own formats: a JSON array of process objects, or an object
 *   `{"processes": {name: {pid, name, command: "<string>", start_time, …}}, "last_updated",
 *   "registry_state", "config_version"}`. On its next `start` it overwrites whatever was there.
 *
 * So our records found in meshctl's file are taken back into ours, and the file is handed back to
 * meshctl as its own empty state, which both of its readers accept and which stops further moves.
 * When both directories are one (a symlink either way), `processes.json` is meshctl's file and our
 * state is kept in a file of its own beside it.
 */
import { realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StateLocations {
  /** Where this CLI keeps its process state. */
  own: string;
  /** meshctl's process state file (may hold records of ours that meshctl moved there). */
  meshctl: string;
  /** The shared-directory file, once the directories are separate again: its records are taken over. */
  previous?: string;
}

/** Our file in a state directory shared with meshctl, where `processes.json` is meshctl's. */
export const SHARED_DIRECTORY_FILE = 'processes.mcp_mesh_dev.json';

function sameLocation(a: string, b: string): boolean {
  try {
    const [first, second] = [statSync(a), statSync(b)];
    return first.dev === second.dev && first.ino === second.ino;
  } catch {
    return false;
  }
}

function realDirectory(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Where the process state lives for this home (cli.md §4.1, plus the shared-directory case). */
export function stateLocations(home: string): StateLocations {
  const ownDirectory = join(home, '.mcp_mesh');
  const meshctlDirectory = join(home, '.mcp-mesh');
  const own = join(ownDirectory, 'processes.json');
  const meshctl = join(meshctlDirectory, 'processes.json');
  const ownReal = realDirectory(ownDirectory);
  const shared =
    (ownReal !== undefined && ownReal === realDirectory(meshctlDirectory)) || sameLocation(own, meshctl);
  const sharedFile = join(ownDirectory, SHARED_DIRECTORY_FILE);
  return shared ? { own: sharedFile, meshctl } : { own, meshctl, previous: sharedFile };
}

/** A record in our format (§4.2): argv as an array and a `started_at`; meshctl's have a string command. */
function isOurRecord(value: unknown): boolean {
  const record = value as { pid?: unknown; command?: unknown; started_at?: unknown } | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.pid === 'number' &&
    Array.isArray(record.command) &&
    typeof record.started_at === 'string'
  );
}

export interface MovedState {
  /** Our records found in meshctl's file, in file order (still raw; the tracker decodes them). */
  processes: Record<string, unknown>;
  registry_state: unknown;
  /** Nothing of meshctl's own is in the file: it can be replaced without losing anything. */
  onlyOurs: boolean;
}

/** Our records in the text of meshctl's file, or undefined when it holds none (meshctl's own state). */
export function movedState(text: string): MovedState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const file = parsed as { processes?: unknown; registry_state?: unknown; config_version?: unknown };
  if (typeof file.processes !== 'object' || file.processes === null) return undefined;
  const entries = Object.entries(file.processes);
  const ours = entries.filter(([, record]) => isOurRecord(record));
  const registryState = file.registry_state;
  const hasOurRegistryState =
    typeof registryState === 'object' && registryState !== null && 'url' in registryState;
  if (ours.length === 0 && !hasOurRegistryState) return undefined;
  return {
    processes: Object.fromEntries(ours),
    registry_state: hasOurRegistryState ? registryState : {},
    onlyOurs: ours.length === entries.length && file.config_version === undefined,
  };
}

/** meshctl's own "no processes" state, as its process manager writes it. */
export function emptyMeshctlState(now = new Date()): string {
  return JSON.stringify(
    { processes: {}, last_updated: now.toISOString(), registry_state: null, config_version: 1 },
    null,
    2,
  );
}

/** Replaces meshctl's file by its empty state (atomically, so meshctl never reads half a file). */
export function handBackToMeshctl(path: string): void {
  const temporary = join(dirname(path), `.processes.mcp_mesh_dev.${process.pid}.tmp`);
  writeFileSync(temporary, emptyMeshctlState());
  renameSync(temporary, path);
}
