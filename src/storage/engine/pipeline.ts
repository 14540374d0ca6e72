import type { Connection, Params, Statement, StatementSender } from '../dialect.js';
import { Sent } from './io.js';

/**
 * Statements sent on a transaction's connection one after another without waiting for any
 * answer; their answers are read later, in order ({@link Sent.receive}). Once a statement is
 * known to have failed (a driver that answers synchronously), nothing more is sent and every
 * later statement answers that failure: the transaction can then only be rolled back, as on
 * PostgreSQL, which refuses every statement after a failed one.
 */
export class Pipeline implements StatementSender {
  private failure: Sent<never> | undefined;

  constructor(private readonly tx: Connection) {}

  /** Whether a statement (or the engine code sending them) is already known to have failed. */
  get hasFailed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends `statement`; its rows are read later. */
  send<P extends Params, R>(statement: Statement<P, R>, params: P): Sent<R[]> {
    return this.start(() => this.tx.query(statement, params));
  }

  /** Sends a command without parameters (transaction control); what ran is read later. */
  execute(sql: string): Sent<string> {
    return this.start(() => this.tx.execute(sql));
  }

  /** Engine code failed while sending: nothing more is sent. */
  fail(error: unknown): void {
    this.failure ??= Sent.failed(error);
  }

  private start<T>(call: () => T | Promise<T>): Sent<T> {
    if (this.failure !== undefined) return this.failure;
    const sent = Sent.start(call);
    if (sent.hasFailed) this.failure = sent as Sent<never>;
    return sent;
  }
}
