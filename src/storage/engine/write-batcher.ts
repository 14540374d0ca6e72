/**
 * Group commit. Writes that arrive while a transaction is being prepared share it: each caller
 * is answered only after the shared transaction commits, so acknowledging stays as safe as one
 * transaction per write while the commit cost is paid once per batch.
 */

import { BucketCounts } from '../../shared/bucket-counts.js';

/** A queued write; the batch runner answers it, or the batcher fails it when the batch fails. */
export interface Failable {
  fail(error: unknown): void;
}

/**
 * Runs every job of the batch in one transaction and answers each job itself (after the commit).
 * Throwing (or rejecting) fails every job of the batch.
 */
export type BatchRunner<Job> = (jobs: readonly Job[]) => void | Promise<void>;

export class WriteBatcher<Job extends Failable> {
  private queue: Job[] = [];
  private isFlushing = false;
  private isScheduled = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** How many writes each batch handed to the runner held (committed or not). */
  readonly batchSizes = new BucketCounts([1, 2, 5, 10, 20, 50, 100, 200, 500]);

  constructor(
    private readonly runBatch: BatchRunner<Job>,
    private readonly maxBatch = 512,
  ) {}

  /** Queues `job` for the next batch. */
  submit(job: Job): void {
    if (this.queue.length === 0 && !this.isFlushing) {
      this.idle = new Promise((done) => {
        this.markIdle = done;
      });
    }
    this.queue.push(job);
    this.schedule();
  }

  /** Resolves once every write submitted so far has been committed or rejected. */
  drain(): Promise<void> {
    return this.queue.length === 0 && !this.isFlushing ? Promise.resolve() : this.idle;
  }

  private schedule(): void {
    if (this.isScheduled || this.isFlushing) return;
    this.isScheduled = true;
    // setImmediate lets every request already read from the sockets join this batch.
    setImmediate(() => {
      this.isScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.isFlushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.batchSizes.observe(batch.length);
      try {
        await this.runBatch(batch);
      } catch (error) {
        for (const job of batch) job.fail(error);
      }
    }
    this.isFlushing = false;
    this.markIdle();
  }
}
