/**
 * The `dependency_resolved` / `dependency_unresolved` events of full heartbeats, as the Go
 * registry writes them (`meshctl audit` reads them): each dependency position's trace is logged
 * when it is worth it (resolution-trace.ts's `auditEventFor`), given what the log last said about
 * that position. That history is remembered per position (bounded), and read from the event log
 * the first time a position is seen, so a restart or another replica's events count too.
 */
import type { AgentRecord } from '../../mesh/agent.js';
import type { MeshEvent } from '../../mesh/events.js';
import {
  type AuditHistory,
  type AuditTrace,
  auditEventFor,
  auditEventText,
  traceFingerprint,
} from '../../mesh/resolution/resolution-trace.js';
import type { Micros } from '../../shared/clock.js';
import type { RegistryStore } from '../../storage/registry-store.js';

/** How many earlier events of one function are searched for a position's history (as Go). */
const HISTORY_LOOKUP = 64;
/** Positions remembered; the oldest are forgotten (and read again from the log if they return). */
const MAX_POSITIONS = 10_000;

function isTrace(data: unknown): data is AuditTrace {
  return typeof data === 'object' && data !== null && Array.isArray((data as AuditTrace).stages);
}

/** The histories read from the log for one heartbeat, per agent and function ({@link ResolutionAudit.eventsFor}). */
export type HistoryLoads = Map<string, Promise<Map<number, AuditHistory>>>;

export class ResolutionAudit {
  readonly #history = new Map<string, AuditHistory>();
  /** The trace each position was last judged on (forgotten with its history). */
  readonly #judged = new Map<string, AuditTrace>();

  constructor(private readonly store: RegistryStore) {}

  /** The events the agent's traces call for, at `at`; the history is updated as if they were written. */
  async eventsFor(
    agent: AgentRecord,
    traces: readonly { functionName: string; depIndex: number; trace: AuditTrace }[],
    at: Micros,
    loads: HistoryLoads = new Map(),
  ): Promise<MeshEvent[]> {
    const events: MeshEvent[] = [];
    for (const { functionName, depIndex, trace } of traces) {
      const key = JSON.stringify([agent.id, functionName, depIndex]);
      const history = this.#history.get(key) ?? (await this.load(loads, agent.id, functionName, depIndex));
      // The very trace judged last time (the topology keeps it while nothing it depends on
      // changed): the same verdict, and nothing to log again.
      if (this.#judged.get(key) === trace) continue;
      this.#judged.set(key, trace);
      const event = auditEventFor(trace, history);
      if (event !== undefined) {
        events.push({
          type: event.type,
          agentId: agent.id,
          agentName: agent.name,
          functionName,
          at,
          data: event.data as unknown as Record<string, unknown>,
          dataText: auditEventText(event.data),
        });
        history.last = { type: event.type, fingerprint: traceFingerprint(trace) };
        if (trace.chosen !== undefined) history.priorChosen = trace.chosen.agent_id;
      }
      this.remember(key, history);
    }
    return events;
  }

  private remember(key: string, history: AuditHistory): void {
    this.#history.delete(key);
    this.#history.set(key, history);
    if (this.#history.size > MAX_POSITIONS) {
      const oldest = this.#history.keys().next().value;
      if (oldest !== undefined) {
        this.#history.delete(oldest);
        this.#judged.delete(oldest);
      }
    }
  }

  /**
   * A position's history from the function's recent events, read once per function for all its
   * positions (`loads`, kept by the caller for one heartbeat: an agent with hundreds of
   * dependencies reads the log once, not once per position).
   */
  private async load(
    loads: HistoryLoads,
    agentId: string,
    functionName: string,
    depIndex: number,
  ): Promise<AuditHistory> {
    const loadKey = JSON.stringify([agentId, functionName]);
    let byPosition = loads.get(loadKey);
    if (byPosition === undefined) {
      byPosition = this.readHistories(agentId, functionName);
      loads.set(loadKey, byPosition);
    }
    const found = (await byPosition).get(depIndex);
    return found === undefined ? { priorChosen: '' } : { ...found };
  }

  private async readHistories(agentId: string, functionName: string): Promise<Map<number, AuditHistory>> {
    const histories = new Map<number, AuditHistory>();
    const settled = new Set<number>();
    const recent = await this.store.listEvents({ agentId, functionName, limit: HISTORY_LOOKUP });
    for (const event of recent) {
      if (event.type !== 'dependency_resolved' && event.type !== 'dependency_unresolved') continue;
      if (!isTrace(event.data) || settled.has(event.data.dep_index)) continue;
      const depIndex = event.data.dep_index;
      let history = histories.get(depIndex);
      if (history === undefined) {
        history = { priorChosen: '' };
        histories.set(depIndex, history);
      }
      history.last ??= { type: event.type, fingerprint: traceFingerprint(event.data) };
      if (event.type === 'dependency_resolved' && event.data.chosen !== undefined) {
        history.priorChosen = event.data.chosen.agent_id;
        settled.add(depIndex);
      }
    }
    return histories;
  }
}
