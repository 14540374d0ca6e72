/**
 * Long-polls of a job's events (`GET /jobs/{id}/events?wait=…`) wait here: woken at once when this
 * process appends an event to the job, and at most every {@link POLL_INTERVAL_MS} otherwise, so a
 * reader also sees events another replica wrote. The number of waiting reads is bounded, so a
 * client cannot grow the registry's memory by opening many.
 */

/** How often a waiting read looks at the database for events other replicas appended. */
export const POLL_INTERVAL_MS = 200;

export class JobEventWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();
  private reads = 0;

  constructor(readonly capacity: number) {}

  /** Takes a place for one waiting read; false when every place is taken. */
  enter(): boolean {
    if (this.reads >= this.capacity) return false;
    this.reads += 1;
    return true;
  }

  /** Gives the place back. */
  leave(): void {
    this.reads -= 1;
  }

  /**
   * Resolves after `ms`, when an event is appended to the job here, or when `signal` aborts
   * (the caller left), whichever comes first.
   */
  wait(jobId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(jobId);
      if (set === undefined) {
        set = new Set();
        this.waiting.set(jobId, set);
      }
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiting.get(jobId) === waiters) this.waiting.delete(jobId);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done);
      waiters.add(done);
      if (signal.aborted) done();
    });
  }

  /** An event was appended to the job: every read waiting for it looks again now. */
  wake(jobId: string): void {
    for (const done of [...(this.waiting.get(jobId) ?? [])]) done();
  }
}
