import type { Logger } from 'pino';
import { describeError, MeshError } from '../../shared/errors.js';

export interface SnapshotSyncOptions {
  /** Pulls what other processes committed into the snapshot; rejects when the database fails. */
  pull: () => Promise<void> | void;
  /** Time between background pulls; 0 turns the background pulls off. */
  intervalMs: number;
  /** The oldest database state a read may be served from (the replicas' 1 s promise). */
  maxStalenessMs: number;
  /** How long a read waits for a pull before it answers 503 (none: the pull's own limits). */
  timeoutMs?: number | undefined;
  logger?: Logger | undefined;
}

/**
 * Keeps a store's snapshot close to the database: a background pull every `intervalMs`, and
 * {@link ensureFresh} before a read, which pulls at once when the last successful pull started
 * longer than `maxStalenessMs` ago. A read therefore never sees a database state older than that,
 * and when the database cannot be reached reads fail with a 503 instead of serving stale data.
 */
export class SnapshotSync {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** `performance.now()` at the start of the last pull that succeeded. */
  private freshAt = Number.NEGATIVE_INFINITY;
  private isFailing = false;

  constructor(private readonly options: SnapshotSyncOptions) {}

  start(): void {
    if (this.timer || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.sync().catch(() => {});
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the background pulls; resolves once a pull still running has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => {});
  }

  /** Marks the snapshot as current as of `startedAt` (a load or a pull done by the store itself). */
  markFresh(startedAt: number): void {
    this.freshAt = Math.max(this.freshAt, startedAt);
  }

  /**
   * Seconds since the last successful pull started: how much older than the database the
   * snapshot may be (grows without bound while the database cannot be reached).
   */
  lagSeconds(): number {
    return (performance.now() - this.freshAt) / 1000;
  }

  /** Pulls now; concurrent callers share one pull. */
  sync(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const startedAt = performance.now();
    const run = async () => {
      try {
        await this.options.pull();
      } catch (error) {
        if (!this.isFailing) {
          this.isFailing = true;
          this.options.logger?.error({ err: error }, 'database unreachable; answering 503 until it returns');
        }
        throw error;
      }
      this.markFresh(startedAt);
      if (this.isFailing) {
        this.isFailing = false;
        this.options.logger?.info('database reachable again');
      }
    };
    this.inFlight = run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Resolves at once while the last successful pull started at most `maxStalenessMs` ago, else
   * after one that did (0: a pull started after this call; one already running does not count).
   * Rejects with a 503 `DATABASE_UNAVAILABLE` error when the pull fails.
   */
  async ensureFresh(maxStalenessMs = this.options.maxStalenessMs): Promise<void> {
    const needed = performance.now() - maxStalenessMs;
    if (this.freshAt >= needed) return;
    const pulled = async () => {
      while (this.freshAt < needed) await this.sync();
    };
    try {
      await withDeadline(pulled(), this.options.timeoutMs);
    } catch (error) {
      throw databaseUnavailable(error);
    }
  }
}

/** What the SQLSTATEs a client is likely to meet here mean, in PostgreSQL's own words. */
const SQLSTATE_MEANINGS: Readonly<Record<string, string>> = {
  '57014': 'statement timeout',
  '57P01': 'admin shutdown',
  '57P03': 'cannot connect now',
  '53300': 'too many connections',
  '08006': 'connection failure',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
};

/**
 * What a client may learn of why the database cannot be reached: the error's code
 * (`ECONNREFUSED`, a SQLSTATE), never its message, which names hosts, addresses and statements.
 * The store's log has the whole error.
 */
function publicReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code)) {
    const meaning = SQLSTATE_MEANINGS[code];
    return meaning === undefined ? code : `${meaning}, ${code}`;
  }
  const message = error instanceof Error ? describeError(error) : '';
  if (/timeout|timed out/i.test(message)) return 'timeout';
  return 'connection failed';
}

/** The 503 every request gets while the database cannot be reached. */
export function databaseUnavailable(error: unknown): MeshError {
  // Already a 503 of the store's (unavailable, or a database file that was lost).
  if (error instanceof MeshError && error.statusCode === 503) return error;
  const reason = publicReason(error);
  return new MeshError(
    'DATABASE_UNAVAILABLE',
    `Registry database unavailable (${reason}); the registry reconnects by itself, retry shortly`,
    { statusCode: 503, cause: error },
  );
}

/**
 * `work`, or a 503 `DATABASE_UNAVAILABLE` (reason `timeout`) once `ms` have passed without its
 * answer: a database that hangs (a frozen server, a network that drops everything) answers the
 * caller within the documented limit, whatever the driver's own timers are doing. The work itself
 * goes on; a write that commits after its caller got the 503 was never acknowledged.
 */
export function withDeadline<T>(work: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(databaseUnavailable(new Error(`no answer from the database within ${ms} ms (timeout)`))),
      ms,
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
