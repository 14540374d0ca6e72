/**
 * The `X-Mesh-Pending-Jobs` hint of `HEAD /heartbeat/{id}` (upstream's capability-scoped count of
 * jobs waiting to be claimed, at most 100): a provider whose capability has work waiting claims at
 * once instead of at its next poll. A hint only, so the counts come from one query per second per
 * process, not one per heartbeat; a failed query means no hint.
 */
import type { AgentRecord } from '../../mesh/agent.js';
import type { RegistryStore } from '../../storage/registry-store.js';

/** The header's largest value (upstream's cap). */
export const PENDING_JOBS_CAP = 100;

const MAX_AGE_MS = 1000;

export class PendingJobCounts {
  private counts = new Map<string, number>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(private readonly store: RegistryStore) {}

  /** Jobs waiting for any capability the agent provides, capped; 0: send no header. */
  async forAgent(agent: AgentRecord): Promise<number> {
    if (this.loadedAt === Number.NEGATIVE_INFINITY) await this.refresh();
    else if (Date.now() - this.loadedAt > MAX_AGE_MS) void this.refresh();
    if (this.counts.size === 0) return 0;
    let pending = 0;
    for (const name of new Set(agent.capabilities.map((capability) => capability.name))) {
      pending += this.counts.get(name) ?? 0;
    }
    return Math.min(pending, PENDING_JOBS_CAP);
  }

  private refresh(): Promise<void> {
    this.loading ??= this.store
      .countPendingJobs()
      .then(
        (counts) => {
          this.counts = counts;
        },
        () => {
          this.counts = new Map();
        },
      )
      .finally(() => {
        this.loadedAt = Date.now();
        this.loading = undefined;
      });
    return this.loading;
  }
}
