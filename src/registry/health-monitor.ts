import type { Logger } from 'pino';
import { statusChangeEvent } from '../mesh/events.js';
import { nextStatus, type StatusChange } from '../mesh/status.js';
import { nowMicros } from '../shared/clock.js';
import type { RegistryStore } from '../storage/registry-store.js';

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
}

/**
 * The periodic health sweep. Every replica ticks, but only the one that claims the period in the
 * database sweeps ({@link RegistryStore.claimHealthSweep}), from a snapshot it has just synced.
 * Its changes are conditional updates (applied only while the agent still has the status and
 * heartbeat the sweep saw), so even two sweeps that overlap agree, and a heartbeat that lands
 * during a sweep always wins.
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly options: HealthMonitorOptions) {
    this.log = options.logger.child({ module: 'health-monitor' });
  }

  start(): void {
    if (this.timer) return;
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
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One period: sweeps when this replica wins the period's claim. */
  private async tick(): Promise<void> {
    try {
      // 90% of the period: one replica's timer drifts a little against the database clock, and
      // must still win every one of its own periods when it is alone.
      if (!(await this.options.store.claimHealthSweep(this.options.intervalMs * 1000 * 0.9))) return;
      await this.options.store.sync();
    } catch (error) {
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

  /** One pass over every agent. Resolves to the changes that were applied. */
  async sweep(): Promise<StatusChange[]> {
    const now = nowMicros();
    const changes: StatusChange[] = [];
    for (const agent of this.options.store.listAgents()) {
      const toStatus = nextStatus(agent, now, this.options.currentTimeoutSeconds);
      if (toStatus) {
        changes.push({
          id: agent.id,
          fromStatus: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          toStatus,
          at: now,
          event: statusChangeEvent(agent, agent.status, toStatus, now),
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
      for (const change of applied) {
        this.log.info(
          { agentId: change.id, from: change.fromStatus, to: change.toStatus },
          'agent status changed',
        );
      }
      return applied;
    } catch (error) {
      this.log.error({ err: error }, 'Error in health check loop');
      return [];
    }
  }
}
