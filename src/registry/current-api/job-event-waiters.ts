/**
 * Long-polls of a job's events (`GET /jobs/{id}/events?wait=…`) wait here. A read is woken at once
 * when this process appends an event to its job, and otherwise by one shared look at the database
 * every {@link POLL_INTERVAL_MS} (the last event seq of every job someone waits for, in one query,
 * however many wait), so a reader also sees events another replica appended. The number of
 * waiting reads is bounded, so a client cannot grow the registry's memory by opening many.
 */

/** How often the waiting reads' jobs are looked up for events other replicas appended. */
export const POLL_INTERVAL_MS = 200;

/** The last event seq of each of these jobs (jobs that do not exist are left out). */
export type ReadEventSeqs = (jobIds: readonly string[]) => Promise<Map<string, number>>;

interface Waiter {
  /** Woken by an event whose seq is above this. */
  after: number;
  wake(seq: number | undefined): void;
}

export class JobEventWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private reads = 0;
  private poller: NodeJS.Timeout | undefined;
  private isPolling = false;

  constructor(
    readonly capacity: number,
    private readonly readSeqs: ReadEventSeqs,
    private readonly onPollError: (error: unknown) => void = () => {},
  ) {}

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
   * Resolves to the seq of an event above `after` appended to the job (here, or seen in the
   * database), or to undefined after `ms` or when `signal` aborts, whichever comes first.
   */
  wait(jobId: string, after: number, ms: number, signal: AbortSignal): Promise<number | undefined> {
    return new Promise((resolve) => {
      let set = this.waiting.get(jobId);
      if (set === undefined) {
        set = new Set();
        this.waiting.set(jobId, set);
      }
      const waiters = set;
      const waiter: Waiter = {
        after,
        wake: (seq) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiters.delete(waiter);
          if (waiters.size === 0 && this.waiting.get(jobId) === waiters) this.waiting.delete(jobId);
          if (this.waiting.size === 0) this.stopPolling();
          resolve(seq);
        },
      };
      const onAbort = () => waiter.wake(undefined);
      const timer = setTimeout(onAbort, Math.max(0, ms));
      signal.addEventListener('abort', onAbort);
      waiters.add(waiter);
      this.startPolling();
      if (signal.aborted) onAbort();
    });
  }

  /** An event with this seq was appended to the job: the reads waiting for one above theirs end. */
  wake(jobId: string, seq: number): void {
    for (const waiter of [...(this.waiting.get(jobId) ?? [])]) {
      if (seq > waiter.after) waiter.wake(seq);
    }
  }

  private startPolling(): void {
    if (this.poller !== undefined) return;
    this.poller = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.poller.unref();
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private async poll(): Promise<void> {
    if (this.isPolling || this.waiting.size === 0) return;
    this.isPolling = true;
    try {
      const seqs = await this.readSeqs([...this.waiting.keys()]);
      for (const [jobId, seq] of seqs) this.wake(jobId, seq);
    } catch (error) {
      this.onPollError(error);
    } finally {
      this.isPolling = false;
    }
  }
}
