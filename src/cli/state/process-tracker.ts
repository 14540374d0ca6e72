/**
 * `~/.mcp_mesh/processes.json`: the processes this CLI started and where the registry lives
 * (cli.md §4). Every change takes a lock file, re-reads the file, applies only itself and replaces
 * the file atomically, so CLIs running at once neither undo each other's changes nor read half a
 * file (§4.5 [DECIDE]). Records the upstream `meshctl` moved into its own directory are taken back
 * (meshctl-state.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliConfig } from '../config/cli-config.js';
import { PyFloat, type PyValue, pyJson } from '../output/python-values.js';
import type { ProcessControl } from '../process/process-control.js';
import type { Report } from '../service-events.js';
import { localIsoTimestamp, parseLocalTimestamp } from './local-time.js';
import {
  handBackToMeshctl,
  type MovedState,
  movedState,
  type StateLocations,
  stateLocations,
} from './meshctl-state.js';
import { servicesLockPath } from './services-lock.js';
import { withFileLock } from './state-lock.js';

export type ServiceType = 'registry' | 'agent' | 'unknown';

/** One tracked process, keys in the file's order (§4.2). */
export interface ProcessRecord {
  name: string;
  pid: number;
  command: string[];
  started_at: string;
  service_type: ServiceType;
  uptime_seconds: number;
  health_status: string;
  last_health_check: string;
  metadata: Record<string, PyValue>;
  /**
   * The OS's identity of the process (ProcessControl.startToken), taken right after it was spawned:
   * a live PID is ours only if it still gives this. Absent in records of older versions.
   */
  process_start?: string;
}

export interface RegistryState {
  url: string;
  host: string;
  port: number;
  database_path: string;
  config: CliConfig;
  last_updated: string;
}

interface StateFile {
  processes: Record<string, ProcessRecord>;
  registry_state: RegistryState | Record<string, never>;
}

/**
 * For records without `process_start` (written by older versions): a PID counts as ours only if the
 * OS started it within this many seconds of the recorded `started_at`; otherwise the PID was recycled
 * (§4.3 [DECIDE]).
 */
const START_TIME_TOLERANCE_MS = 10_000;

/** Seconds since the record's `started_at`, as Python computed it from two local naive times. */
export function uptimeSeconds(record: ProcessRecord, now = Date.now()): number {
  const started = parseLocalTimestamp(record.started_at);
  return Number.isNaN(started) ? 0 : Math.max(0, (now - started) / 1000);
}

function emptyState(): StateFile {
  return { processes: {}, registry_state: {} };
}

export class ProcessTracker {
  private state: StateFile | undefined;
  /** Records found dead when the file was loaded; the next write leaves them out (§4.3). */
  private readonly dead = new Map<string, ProcessRecord>();

  /**
   * @param path our state file
   * @param others where else our records may be: meshctl's file, our file of the other layout
   */
  constructor(
    private readonly path: string,
    private readonly processes: ProcessControl,
    private readonly report: Report,
    private readonly others: Partial<Omit<StateLocations, 'own'>> = {},
  ) {}

  /** The tracker of a home: its own file, and the places meshctl may have moved records to. */
  static forHome(home: string, processes: ProcessControl, report: Report): ProcessTracker {
    const { own, ...others } = stateLocations(home);
    return new ProcessTracker(own, processes, report, others);
  }

  /** The lock `start`, `restart` and `restart-agent` hold while they start services (services-lock.ts). */
  get servicesLock(): string {
    return servicesLockPath(this.path);
  }

  /** Forgets the loaded view: the next question re-reads the file, with other CLIs' changes. */
  reload(): void {
    this.state = undefined;
    this.dead.clear();
  }

  /**
   * Whether the record's PID is alive and still the process we started: the same OS start token
   * (unaffected by time zone changes and clock steps); for older records, an OS start time near
   * `started_at`.
   */
  isAlive(record: ProcessRecord): boolean {
    if (!this.processes.isRunning(record.pid)) return false;
    if (record.process_start !== undefined) {
      const token = this.processes.startToken(record.pid);
      return token === undefined || token === record.process_start;
    }
    const osStart = this.processes.startTime(record.pid);
    const recorded = parseLocalTimestamp(record.started_at);
    if (osStart === undefined || Number.isNaN(recorded)) return true;
    return Math.abs(osStart - recorded) <= START_TIME_TOLERANCE_MS;
  }

  /** A state file as stored, or an empty state when it is missing or unreadable. */
  private readFile(quiet: boolean): StateFile {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !quiet) {
        this.report({ type: 'state-load-failed', reason: (error as Error).message });
      }
      return emptyState();
    }
    return this.decode(raw, quiet);
  }

  /** Our records and registry state out of a parsed file; undecodable records are skipped (§4.3). */
  private decode(raw: unknown, quiet: boolean): StateFile {
    const file = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Partial<StateFile>;
    const processes: Record<string, ProcessRecord> = {};
    for (const [name, value] of Object.entries(file.processes ?? {})) {
      const record = value as Partial<ProcessRecord> | null;
      if (
        !record ||
        typeof record.pid !== 'number' ||
        !Array.isArray(record.command) ||
        typeof record.started_at !== 'string'
      ) {
        if (!quiet) this.report({ type: 'record-invalid', name });
        continue;
      }
      processes[name] = {
        name,
        pid: record.pid,
        command: record.command.map(String),
        started_at: record.started_at,
        service_type: (record.service_type as ServiceType) ?? 'unknown',
        uptime_seconds: Number(record.uptime_seconds ?? 0),
        health_status: String(record.health_status ?? 'unknown'),
        last_health_check: String(record.last_health_check ?? record.started_at),
        metadata: (record.metadata as Record<string, PyValue>) ?? {},
        ...(typeof record.process_start === 'string' ? { process_start: record.process_start } : {}),
      };
    }
    const registryState =
      file.registry_state && typeof file.registry_state === 'object' ? file.registry_state : {};
    return { processes, registry_state: registryState };
  }

  private locked<T>(work: () => T): T {
    return withFileLock(`${this.path}.lock`, (pid) => this.processes.isRunning(pid), work);
  }

  /** Replaces the file atomically; false (and said on stderr) when that failed. */
  private write(state: StateFile): boolean {
    const body = {
      processes: Object.fromEntries(
        Object.entries(state.processes).map(([name, record]) => [
          name,
          { ...record, uptime_seconds: new PyFloat(uptimeSeconds(record)) } as unknown as PyValue,
        ]),
      ),
      registry_state: state.registry_state as unknown as PyValue,
      last_updated: localIsoTimestamp(),
    };
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, pyJson(body));
      renameSync(temporary, this.path);
      return true;
    } catch (error) {
      this.report({ type: 'state-save-failed', reason: (error as Error).message });
      return false;
    }
  }

  /** The live view, loaded on first use: dead records dropped (a dead registry clears its state, §4.3). */
  private view(): StateFile {
    if (this.state) return this.state;
    this.takeOverMovedRecords();
    const stored = this.readFile(false);
    const alive: Record<string, ProcessRecord> = {};
    for (const [name, record] of Object.entries(stored.processes)) {
      if (this.isAlive(record)) alive[name] = record;
      else this.dead.set(name, record);
    }
    this.state = { processes: alive, registry_state: stored.registry_state };
    const registryDied = stored.processes.registry !== undefined && alive.registry === undefined;
    if (registryDied) this.update(clearRegistryStateIfUntracked, []);
    return this.state;
  }

  /**
   * Takes back our records from meshctl's file (it moves ours there) and from our file of the other
   * layout, so no tracked process is lost. On a name found in both places, the live record wins; two
   * live ones with different PIDs stay where they are (ours in use, the other left for a later look).
   */
  private takeOverMovedRecords(): void {
    const sources = [this.others.meshctl, this.others.previous].filter(
      (path): path is string => path !== undefined && existsSync(path),
    );
    if (sources.length === 0) return;
    this.locked(() => {
      for (const source of sources) {
        let text: string;
        try {
          text = readFileSync(source, 'utf8');
        } catch {
          continue;
        }
        const fromMeshctl = source === this.others.meshctl;
        const moved = fromMeshctl ? movedState(text) : previousState(text);
        if (!moved) continue;
        const found = this.decode(moved, true);
        const own = this.readFile(false);
        const kept: string[] = [];
        const processes: Record<string, ProcessRecord> = {};
        for (const [name, record] of Object.entries(found.processes)) {
          const mine = own.processes[name];
          if (!mine || (!this.isAlive(mine) && this.isAlive(record))) processes[name] = record;
          else if (mine.pid !== record.pid && this.isAlive(record)) kept.push(name);
        }
        for (const [name, record] of Object.entries(own.processes)) processes[name] ??= record;
        const registryMoved =
          processes.registry !== undefined && processes.registry === found.processes.registry;
        const registryState =
          registryMoved || !('url' in own.registry_state) ? found.registry_state : own.registry_state;
        if (!this.write({ processes, registry_state: registryState })) return;
        for (const name of kept) {
          this.report({ type: 'record-kept-elsewhere', name, source, pid: found.processes[name]!.pid });
        }
        if (kept.length > 0 || !moved.onlyOurs) continue;
        // Handed back only if unchanged since read: a meshctl that wrote meanwhile keeps its write.
        if (readFileSync(source, 'utf8') !== text) continue;
        if (fromMeshctl) handBackToMeshctl(source);
        else rmSync(source, { force: true });
      }
    });
  }

  /**
   * Applies a change to the freshly re-read file (under the lock) and to the live view. `touched`
   * names the records the change is about; records other CLIs changed meanwhile are kept as they are.
   */
  private update(change: (state: StateFile) => void, touched: string[]): void {
    const fresh = this.locked(() => {
      const file = this.readFile(true);
      for (const [name, record] of this.dead)
        if (file.processes[name]?.pid === record.pid) delete file.processes[name];
      change(file);
      this.write(file);
      return file;
    });
    const current: StateFile = this.state ?? emptyState();
    change(current);
    for (const name of touched) if (!fresh.processes[name]) delete current.processes[name];
    if (!('url' in fresh.registry_state)) current.registry_state = {};
    this.state = current;
  }

  get(name: string): ProcessRecord | undefined {
    return this.view().processes[name];
  }

  all(): ProcessRecord[] {
    return Object.values(this.view().processes);
  }

  byType(type: ServiceType): ProcessRecord[] {
    return this.all().filter((record) => record.service_type === type);
  }

  /** Tracks a process; re-tracking a name moves it to the end (§4.2). */
  track(
    record: Omit<ProcessRecord, 'uptime_seconds' | 'health_status' | 'last_health_check'>,
  ): ProcessRecord {
    const { metadata, process_start, ...identity } = record;
    // Keys in the file's order (§4.2), this port's own last.
    const full: ProcessRecord = {
      ...identity,
      uptime_seconds: 0,
      health_status: 'unknown',
      last_health_check: record.started_at,
      metadata,
      ...(process_start === undefined ? {} : { process_start }),
    };
    this.view();
    this.update(
      (state) => {
        delete state.processes[full.name];
        state.processes[full.name] = full;
      },
      [full.name],
    );
    return full;
  }

  /**
   * Forgets a process. Untracking the registry also clears the registry state, so a stopped mesh
   * leaves nothing behind (the original left it for the next validity check, §4.4).
   */
  untrack(name: string): boolean {
    const known = this.view().processes[name] !== undefined;
    this.update(
      (state) => {
        delete state.processes[name];
        if (name === 'registry') clearRegistryStateIfUntracked(state);
      },
      [name],
    );
    return known;
  }

  setHealth(name: string, health: string): void {
    this.view();
    const now = localIsoTimestamp();
    this.update((state) => {
      const record = state.processes[name];
      if (record) Object.assign(record, { health_status: health, last_health_check: now });
    }, []);
  }

  registryState(): RegistryState | undefined {
    const state = this.view().registry_state;
    return 'url' in state ? (state as RegistryState) : undefined;
  }

  setRegistryState(registry: Omit<RegistryState, 'last_updated'>): void {
    this.view();
    const stored: RegistryState = { ...registry, last_updated: localIsoTimestamp() };
    this.update((state) => (state.registry_state = stored), []);
  }

  /** §4.4: valid iff the state is set and a live `registry` record exists; otherwise it is cleared. */
  registryStateValid(): boolean {
    const view = this.view();
    if (!('url' in view.registry_state)) return false;
    if (view.processes.registry) return true;
    this.update(clearRegistryStateIfUntracked, []);
    return false;
  }

  /** Whether this home has a process state file at all: this CLI has tracked something here before. */
  hasHistory(): boolean {
    this.view();
    return existsSync(this.path);
  }

  /**
   * Records that were in the file but whose process had already ended when it was loaded, and the
   * registry state when no live registry is tracked: what `stop` reports as stale.
   */
  stale(): { records: ProcessRecord[]; registryState: boolean } {
    const view = this.view();
    return {
      records: [...this.dead.values()],
      registryState: 'url' in view.registry_state && view.processes.registry === undefined,
    };
  }

  /** Removes the stale records and registry state from the file (§4.3 drops them at the next write anyway). */
  forgetStale(): void {
    const { records, registryState } = this.stale();
    if (records.length === 0 && !registryState) return;
    this.update(clearRegistryStateIfUntracked, []);
    this.dead.clear();
  }

  /** Drops records whose process has ended; returns their names. A registry gone takes its state along. */
  removeDead(): string[] {
    const dead = this.all()
      .filter((record) => !this.isAlive(record))
      .map((record) => record.name);
    if (dead.length > 0)
      this.update((state) => {
        for (const name of dead) delete state.processes[name];
        clearRegistryStateIfUntracked(state);
      }, dead);
    return dead;
  }
}

/** Our file of the other layout, all of it ours; undefined when it cannot be read as JSON. */
function previousState(text: string): MovedState | undefined {
  try {
    const raw = JSON.parse(text) as { processes?: unknown; registry_state?: unknown } | null;
    return {
      processes: (raw?.processes ?? {}) as MovedState['processes'],
      registry_state: raw?.registry_state ?? {},
      onlyOurs: true,
    };
  } catch {
    return undefined;
  }
}

/** The registry state is about the tracked registry: without one it is cleared (§4.4). */
function clearRegistryStateIfUntracked(state: StateFile): void {
  if (!state.processes.registry) state.registry_state = {};
}
