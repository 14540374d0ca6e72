/**
 * Group commit. Writes that arrive while a transaction is being prepared share it: each caller
 * is answered only after the shared transaction commits, so acknowledging stays as safe as one
 * transaction per write while the commit cost is paid once per batch.
 */
export interface BatchRunner<Op> {
  /** Runs every op of the batch in one transaction; returns one result (or Error) per op. */
  runBatch(ops: readonly Op[]): Promise<(unknown | Error)[]>;
}

interface Pending<Op> {
  op: Op;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteBatcher<Op> {
  private queue: Pending<Op>[] = [];
  private isFlushing = false;
  private isScheduled = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(
    private readonly runner: BatchRunner<Op>,
    private readonly maxBatch = 512,
  ) {}

  /** Queues `op`; resolves with its result once its batch has committed. */
  submit<T>(op: Op): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0 && !this.isFlushing) {
        this.idle = new Promise((done) => {
          this.markIdle = done;
        });
      }
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
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
      try {
        const results = await this.runner.runBatch(batch.map((p) => p.op));
        batch.forEach((pending, i) => {
          const result = results[i];
          if (result instanceof Error) pending.reject(result);
          else pending.resolve(result);
        });
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.isFlushing = false;
    this.markIdle();
  }
}
