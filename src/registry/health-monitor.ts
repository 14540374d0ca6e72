import type { Logger } from 'pino';
import type { AgentRecord } from '../mesh/agent.js';
import { statusChangeEvent } from '../mesh/events.js';
import { type DueAgent, HeartbeatWatch } from '../mesh/heartbeat-watch.js';
import { type StatusChange, statusForAge } from '../mesh/status.js';
import { keepUpWith, monotonicMicros, nowMicros } from '../shared/clock.js';
import type { RegistryStore } from '../storage/registry-store.js';
import { type ProbeResult, probeEndpoint } from './endpoint-probe.js';

export interface HealthMonitorOptions {
  store: RegistryStore;
  logger: Logger;
  /** Time between sweeps. */
  intervalMs: number;
  /** Seconds without a heartbeat before a current-protocol agent is unhealthy. */
  currentTimeoutSeconds: number;
  /** Seconds an unhealthy current-protocol agent is kept before it is purged. */
  retentionSeconds: number;
  /** Events the log keeps (the oldest beyond are trimmed each sweep); 0: no cap. */
  eventMaxRows: number;
  /**
   * Seconds without a heartbeat before a current-protocol agent's endpoint is checked with a TCP
   * connection (a refusal marks it unhealthy at once); 0 turns the checks off.
   */
  probeAfterSeconds?: number;
  /** The check itself (the real TCP connection unless a test needs an endpoint's answer fixed). */
  probe?: (endpoint: string) => Promise<ProbeResult>;
}

/** How often the monitor checks that its own process was not paused. */
const PAUSE_TICK_MS = 500;
/** A gap this long between those checks means the process could not record heartbeats. */
const PAUSE_MS = 3000;
/** How long a probe's connection may take before it counts as no answer. */
const PROBE_TIMEOUT_MS = 2000;
/** The most a heartbeat another replica wrote counts as old when first seen (a pull's delay). */
const MAX_CREDIT_MICROS = 1_000_000;
/** Retry of a due check the database did not let through. */
const RETRY_MS = 1000;
/** Endpoint checks in flight at most when learning which endpoints this replica can reach. */
const LEARN_CONCURRENCY = 32;

/**
 * The liveness judgment, in two parts.
 *
 * Current-protocol agents are judged when they fall due ({@link HeartbeatWatch}: deadlines kept in
 * order, one timer for the earliest): when an agent's heartbeat is `probeAfterSeconds` late, a TCP
 * connection to its endpoint; refused means the process is gone, and the agent is unhealthy now
 * (unless a probe already decided so within the last timeout: a flapping agent waits for its
 * timeout); anything else waits for the timeout, when it is unhealthy. Its consumers learn at
 * their next `HEAD` (202). Every replica watches; the first change to reach the database applies.
 *
 * The periodic health sweep does the rest (legacy agents' thresholds, purges, jobs, and any
 * current agent the watch missed). Every replica ticks, but only the one that claims the period in
 * the database sweeps ({@link RegistryStore.claimHealthSweep}), from a snapshot it has just synced.
 *
 * Every change is a conditional update (applied only while the agent still has the status and
 * heartbeat that were judged), so overlapping judgments agree, and a heartbeat that lands during
 * one always wins. Ages are the watch's: this process's own clock, with the time the registry could
 * not record heartbeats (database away, process paused) not counted.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly watch: HeartbeatWatch;
  private readonly timeoutMicros: number;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt: number | undefined;
  private dueRun: Promise<void> | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;
  private lastTick = performance.now();
  private isDatabaseAway = false;
  private isStopped = false;
  private readonly unsubscribe: () => void;
  private readonly probe: (endpoint: string) => Promise<ProbeResult>;
  /**
   * Each agent's endpoint once this replica has connected to it. A refusal is evidence only at
   * an endpoint that accepted before: one never reachable from here (an address the agent sees,
   * not the registry) leaves the agent to its timeout.
   */
  private readonly reachable = new Map<string, string>();
  /** The endpoint last checked for each agent (once per endpoint while it stays healthy). */
  private readonly checked = new Map<string, string>();
  private readonly toLearn = new Map<string, string>();
  private learning = 0;

  constructor(private readonly options: HealthMonitorOptions) {
    this.log = options.logger.child({ module: 'health-monitor' });
    this.timeoutMicros = options.currentTimeoutSeconds * 1e6;
    this.probe = options.probe ?? ((endpoint) => probeEndpoint(endpoint, PROBE_TIMEOUT_MS));
    this.watch = new HeartbeatWatch(
      {
        timeoutMicros: this.timeoutMicros,
        probeAfterMicros: (options.probeAfterSeconds ?? 0) * 1e6,
        maxCreditMicros: MAX_CREDIT_MICROS,
      },
      monotonicMicros(),
    );
    for (const agent of options.store.listAgents()) this.noteAgent(agent.id, agent);
    this.unsubscribe = options.store.onChange((ids) => {
      for (const id of ids) this.noteAgent(id, options.store.getAgent(id));
      if (this.dueAt === undefined) this.scheduleDue();
    });
  }

  /** Notes an agent's heartbeat; a healthy current-protocol agent is watched for its deadlines. */
  private noteAgent(id: string, agent: AgentRecord | undefined): void {
    if (agent === undefined) {
      this.watch.forget(id);
      this.reachable.delete(id);
      this.checked.delete(id);
      this.toLearn.delete(id);
      return;
    }
    keepUpWith(agent.topologyAt);
    if (agent.lastHeartbeat === null) return;
    keepUpWith(agent.lastHeartbeat);
    const isWatched = agent.protocol === 'current' && agent.status === 'healthy';
    if (!isWatched) this.checked.delete(id);
    else if (this.probesOn && this.checked.get(id) !== agent.endpoint) {
      this.checked.set(id, agent.endpoint);
      this.learn(id, agent.endpoint);
    }
    this.watch.observe(
      id,
      agent.lastHeartbeat,
      monotonicMicros(),
      isWatched,
      nowMicros() - agent.lastHeartbeat,
    );
  }

  private get probesOn(): boolean {
    const after = this.options.probeAfterSeconds ?? 0;
    return after > 0 && after < this.options.currentTimeoutSeconds;
  }

  /** Checks (in the background, a few at a time) that this replica can reach an agent's endpoint. */
  private learn(id: string, endpoint: string): void {
    this.toLearn.set(id, endpoint);
    while (this.learning < LEARN_CONCURRENCY && this.toLearn.size > 0) {
      const [nextId, nextEndpoint] = this.toLearn.entries().next().value!;
      this.toLearn.delete(nextId);
      this.learning += 1;
      void this.probe(nextEndpoint)
        .then((result) => {
          if (result === 'open' && this.options.store.getAgent(nextId)?.endpoint === nextEndpoint) {
            this.reachable.set(nextId, nextEndpoint);
          }
        })
        .finally(() => {
          this.learning -= 1;
          const next = this.toLearn.entries().next().value;
          if (next !== undefined) this.learn(next[0], next[1]);
        });
    }
  }

  start(): void {
    if (this.timer) return;
    this.isStopped = false;
    this.lastTick = performance.now();
    // Nothing could be recorded before the registry was ready: everyone's timeout starts now.
    this.watch.restartGrace(monotonicMicros());
    this.pauseTimer = setInterval(() => this.noticePause(), PAUSE_TICK_MS);
    this.pauseTimer.unref();
    this.scheduleDue();
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.tick().then(
          () => undefined,
          () => undefined,
        );
        void this.running.finally(() => {
          this.running = undefined;
        });
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pauseTimer) clearInterval(this.pauseTimer);
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.timer = undefined;
    this.pauseTimer = undefined;
    this.dueTimer = undefined;
    this.dueAt = undefined;
    this.unsubscribe();
    await this.running;
    await this.dueRun;
  }

  /**
   * A gap between ticks means this process could not record heartbeats (paused, or stalled):
   * every agent gets a fresh timeout from now.
   */
  private noticePause(): void {
    const now = performance.now();
    const gap = now - this.lastTick;
    this.lastTick = now;
    if (gap < PAUSE_MS) return;
    this.watch.restartGrace(monotonicMicros());
    this.log.warn(
      { pausedSeconds: Math.round(gap / 100) / 10 },
      'the registry could not run for a while; every agent gets a fresh timeout from now',
    );
  }

  /** The database is reachable again after it was not: the time it was away does not count. */
  private noticeDatabase(isReachable: boolean): void {
    if (isReachable && this.isDatabaseAway) {
      this.watch.restartGrace(monotonicMicros());
      this.log.info('database reachable again; every agent gets a fresh timeout from now');
    }
    this.isDatabaseAway = !isReachable;
  }

  /** One timer, for the earliest agent due. */
  private scheduleDue(delayMs?: number): void {
    if (this.isStopped || this.timer === undefined) return;
    const dueAt = this.watch.nextDueAt();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    this.dueAt = undefined;
    if (dueAt === undefined && delayMs === undefined) return;
    const wait = delayMs ?? Math.max(0, (dueAt! - monotonicMicros()) / 1000);
    this.dueAt = dueAt ?? monotonicMicros() + wait * 1000;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = undefined;
      if (this.dueRun) return;
      this.dueRun = this.runDue().finally(() => {
        this.dueRun = undefined;
      });
    }, Math.ceil(wait) + 1);
    this.dueTimer.unref();
  }

  /** Probes and judges every agent due now, then waits for the next. */
  private async runDue(): Promise<void> {
    this.noticePause();
    const dueAt = this.watch.nextDueAt();
    if (dueAt !== undefined && dueAt <= monotonicMicros()) {
      try {
        // Judged from the database as it is now (other replicas' heartbeats included). When it
        // was away, its return starts a fresh timeout for everyone before anything is judged.
        await this.options.store.ensureFresh();
        this.noticeDatabase(true);
      } catch (error) {
        this.noticeDatabase(false);
        this.log.debug({ err: error }, 'due agents not judged: database unavailable');
        this.scheduleDue(RETRY_MS);
        return;
      }
      await this.judgeDue(this.watch.takeDue(monotonicMicros()));
    }
    this.scheduleDue();
  }

  private async judgeDue(due: readonly DueAgent[]): Promise<void> {
    const { store } = this.options;
    const changes: StatusChange[] = [];
    const quick = new Set<string>();
    await Promise.all(
      due.map(async ({ id, heartbeat, kind }) => {
        const agent = store.getAgent(id);
        if (
          agent?.protocol !== 'current' ||
          agent.status !== 'healthy' ||
          agent.lastHeartbeat !== heartbeat
        ) {
          this.noteAgent(id, agent);
          return;
        }
        if (kind === 'probe') {
          if (this.reachable.get(id) !== agent.endpoint) return;
          if (!this.watch.mayDecideQuickly(id, monotonicMicros())) return;
          if ((await this.probe(agent.endpoint)) !== 'refused') return;
          quick.add(id);
        }
        const at = nowMicros();
        changes.push({
          id,
          fromStatus: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          toStatus: 'unhealthy',
          at,
          event: statusChangeEvent(agent, agent.status, 'unhealthy', at),
        });
      }),
    );
    const applied = await this.applyStatusChanges(changes);
    for (const change of applied) {
      if (!quick.has(change.id)) continue;
      this.watch.noteQuickVerdict(change.id, monotonicMicros());
      this.log.info(
        { agentId: change.id },
        'agent endpoint refused a connection after a late heartbeat: marked unhealthy',
      );
    }
  }

  /** One period: sweeps when this replica wins the period's claim. */
  private async tick(): Promise<void> {
    this.noticePause();
    try {
      // 90% of the period: one replica's timer drifts a little against the database clock, and
      // must still win every one of its own periods when it is alone.
      const isClaimed = await this.options.store.claimHealthSweep(this.options.intervalMs * 1000 * 0.9);
      this.noticeDatabase(true);
      if (!isClaimed) return;
      await this.options.store.sync();
    } catch (error) {
      this.noticeDatabase(false);
      this.log.error({ err: error }, 'Error in health check loop');
      return;
    }
    await this.sweep();
  }

  /** Removes current-protocol agents unhealthy for longer than the retention (as upstream does). */
  private async purgeExpiredUnhealthy(now: number): Promise<void> {
    const limit = now - this.options.retentionSeconds * 1e6;
    const stale = [...this.options.store.listAgents()].filter(
      (a) => a.protocol === 'current' && a.status === 'unhealthy' && a.updatedAt < limit,
    );
    try {
      const deleted = await Promise.all(
        stale.map((a) =>
          this.options.store.deleteAgent(a.id, { status: 'unhealthy', updatedAt: a.updatedAt }),
        ),
      );
      const purged = deleted.filter(Boolean).length;
      if (purged > 0) this.log.info({ purged }, 'purged unhealthy agents past their retention');
    } catch (error) {
      this.log.error({ err: error }, 'Error in health check loop');
    }
  }

  /** Keeps the event log under its cap: a size bound, whatever the retention. */
  private async trimEvents(): Promise<void> {
    if (this.options.eventMaxRows === 0) return;
    try {
      await this.options.store.trimEvents(this.options.eventMaxRows);
    } catch (error) {
      this.log.error({ err: error }, 'Error trimming the event log');
    }
  }

  /**
   * One pass over every agent. Resolves to the changes that were applied. `now` may be given to
   * judge as if that much time had passed (tests).
   */
  async sweep(now: number = nowMicros()): Promise<StatusChange[]> {
    // `now` may be ahead of the clock (tests): ages are judged as far ahead, changes stamped now.
    const stampedAt = nowMicros();
    const watchNow = monotonicMicros() + Math.max(0, now - stampedAt);
    const changes: StatusChange[] = [];
    for (const agent of this.options.store.listAgents()) {
      if (agent.lastHeartbeat === null) continue;
      const storedAge = stampedAt - agent.lastHeartbeat;
      const age = this.watch.ageOf(agent.id, agent.lastHeartbeat, watchNow, storedAge) / 1e6;
      const toStatus = statusForAge(agent, age, this.options.currentTimeoutSeconds);
      if (toStatus) {
        changes.push({
          id: agent.id,
          fromStatus: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          toStatus,
          at: stampedAt,
          event: statusChangeEvent(agent, agent.status, toStatus, stampedAt),
        });
      }
    }
    await this.purgeExpiredUnhealthy(now);
    await this.trimEvents();
    const applied = await this.applyStatusChanges(changes);
    // After the status changes: jobs whose holder this sweep found gone go back to the pool now.
    await this.sweepJobs(now);
    return applied;
  }

  /**
   * The jobs' part (as upstream's sweep): orphans and expired leases back to the pool (or failed
   * when out of attempts), jobs past their total deadline failed, and the events of jobs terminal
   * for longer than the retention purged. Conditional updates, like the status changes.
   */
  private async sweepJobs(now: number): Promise<void> {
    const retention = this.options.retentionSeconds * 1e6;
    try {
      const swept = await this.options.store.sweepJobs(now, retention > 0 ? now - retention : undefined);
      if (Object.values(swept).some((count) => count > 0))
        this.log.info(swept, 'sweep: jobs reset or failed');
    } catch (error) {
      this.log.error({ err: error }, 'Error sweeping jobs');
    }
  }

  private async applyStatusChanges(changes: StatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return [];
    try {
      const applied = await this.options.store.applyStatusChanges(changes);
      const expired = applied.filter((c) => c.toStatus === 'expired').length;
      if (expired > 0) this.log.info({ expired }, `Health monitor: Marked ${expired} agents as expired`);
      // Each applied change is logged once by the agent lifecycle log (http/agent-lifecycle-log.ts).
      return applied;
    } catch (error) {
      this.log.error({ err: error }, 'Error in health check loop');
      return [];
    }
  }
}
