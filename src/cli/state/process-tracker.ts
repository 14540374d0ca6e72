/**
 * `~/.mcp_mesh/processes.json`: the processes this CLI started and where the registry lives
 * (cli.md §4). Every write re-reads the file and applies only this change to it, so two CLIs
 * running at once do not undo each other's tracking (§4.5 [DECIDE]); the file is replaced atomically.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliConfig } from '../config/cli-config.js';
import type { CliOutput } from '../context.js';
import { PyFloat, type PyValue, pyJson } from '../output/python-values.js';
import type { ProcessControl } from '../process/process-control.js';
import { localIsoTimestamp, parseLocalTimestamp } from './local-time.js';

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
 * A PID counts as ours only if the OS started it within this many seconds of the recorded
 * `started_at` (the CLI records it right after spawning); otherwise the PID was recycled (§4.3 [DECIDE]).
 */
const START_TIME_TOLERANCE_MS = 10_000;

export function processesPath(home: string): string {
  return join(home, '.mcp_mesh', 'processes.json');
}

/** Seconds since the record's `started_at`, as Python computed it from two local naive times. */
export function uptimeSeconds(record: ProcessRecord, now = Date.now()): number {
  const started = parseLocalTimestamp(record.started_at);
  return Number.isNaN(started) ? 0 : Math.max(0, (now - started) / 1000);
}

export class ProcessTracker {
  private state: StateFile | undefined;
  /** Records found dead when the file was loaded; the next write leaves them out (§4.3). */
  private readonly deadPids = new Map<string, number>();

  constructor(
    private readonly path: string,
    private readonly processes: ProcessControl,
    private readonly out: CliOutput,
  ) {}

  /** Whether the record's PID is alive and still the process we started. */
  isAlive(record: ProcessRecord): boolean {
    if (!this.processes.isRunning(record.pid)) return false;
    const osStart = this.processes.startTime(record.pid);
    const recorded = parseLocalTimestamp(record.started_at);
    if (osStart === undefined || Number.isNaN(recorded)) return true;
    return Math.abs(osStart - recorded) <= START_TIME_TOLERANCE_MS;
  }

  /** The file as stored, or an empty state when it is missing or unreadable. */
  private readFile(quiet: boolean): StateFile {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !quiet) {
        this.out.log(`Failed to load process state: ${(error as Error).message}`);
      }
      return { processes: {}, registry_state: {} };
    }
    const file = (raw ?? {}) as Partial<StateFile>;
    const processes: Record<string, ProcessRecord> = {};
    for (const [name, value] of Object.entries(file.processes ?? {})) {
      const record = value as Partial<ProcessRecord> | null;
      if (
        !record ||
        typeof record.pid !== 'number' ||
        !Array.isArray(record.command) ||
        typeof record.started_at !== 'string'
      ) {
        if (!quiet) this.out.log(`Failed to restore process ${name}: invalid process record`);
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
      };
    }
    const registryState =
      file.registry_state && typeof file.registry_state === 'object' ? file.registry_state : {};
    return { processes, registry_state: registryState };
  }

  private write(state: StateFile): void {
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
    } catch (error) {
      this.out.log(`Failed to save process state: ${(error as Error).message}`);
    }
  }

  /** The live view, loaded on first use: dead records dropped (a dead registry clears its state, §4.3). */
  private view(): StateFile {
    if (this.state) return this.state;
    const stored = this.readFile(false);
    const alive: Record<string, ProcessRecord> = {};
    for (const [name, record] of Object.entries(stored.processes)) {
      if (this.isAlive(record)) alive[name] = record;
      else this.deadPids.set(name, record.pid);
    }
    this.state = { processes: alive, registry_state: stored.registry_state };
    const registryDied = stored.processes.registry !== undefined && alive.registry === undefined;
    if (registryDied) this.update((file) => (file.registry_state = {}), []);
    return this.state;
  }

  /**
   * Applies a change to the freshly re-read file and to the live view. `touched` names the records
   * the change is about; records other CLIs changed meanwhile are kept as they are in the file.
   */
  private update(change: (state: StateFile) => void, touched: string[]): void {
    const fresh = this.readFile(true);
    for (const [name, pid] of this.deadPids)
      if (fresh.processes[name]?.pid === pid) delete fresh.processes[name];
    change(fresh);
    this.write(fresh);
    const current: StateFile = this.state ?? { processes: {}, registry_state: {} };
    change(current);
    for (const name of touched) if (!fresh.processes[name]) delete current.processes[name];
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
    const full: ProcessRecord = {
      ...record,
      uptime_seconds: 0,
      health_status: 'unknown',
      last_health_check: record.started_at,
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

  untrack(name: string): boolean {
    const known = this.view().processes[name] !== undefined;
    this.update(
      (state) => {
        delete state.processes[name];
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
    this.update((state) => (state.registry_state = {}), []);
    return false;
  }

  /** Drops records whose process has ended; returns their names. */
  removeDead(): string[] {
    const dead = this.all()
      .filter((record) => !this.isAlive(record))
      .map((record) => record.name);
    if (dead.length > 0)
      this.update((state) => {
        for (const name of dead) delete state.processes[name];
      }, dead);
    return dead;
  }
}
