/**
 * Engine code is written once for a synchronous driver (`node:sqlite`) and an asynchronous one
 * (`pg`): as generators that yield each database call. {@link drive} runs a generator and stays
 * synchronous for as long as the calls answer synchronously, so a SQLite batch still runs in one
 * turn of the event loop (nothing can read the connection while its transaction is open). A call
 * can also be started at once and its answer read later ({@link Sent}): on PostgreSQL, whose
 * connections pipeline, statements sent that way share one round trip.
 */

/** One database call: its answer, or a promise of it. */
export type Call = () => unknown;

/** A computation that performs database calls and ends with a `T`. */
export type Io<T> = Generator<Call, T, unknown>;

/** Performs `work` (a database call) and continues with its answer. */
export function* perform<T>(work: () => T | PromiseLike<T>): Io<T> {
  // drive() feeds back exactly what `work` returned (awaited), so the value is a T.
  return (yield work) as T;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const START: Outcome = { ok: true, value: undefined };

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function invoke(call: Call): Outcome | Promise<Outcome> {
  try {
    const value = call();
    if (!isPromiseLike(value)) return { ok: true, value };
    return Promise.resolve(value).then(
      (answer): Outcome => ({ ok: true, value: answer }),
      (error: unknown): Outcome => ({ ok: false, error }),
    );
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Runs `io` to its end: synchronously while every call answers synchronously, through promises
 * from the first call that answers with one. A call that fails is thrown into the generator, so
 * engine code handles database errors with ordinary try/catch.
 */
export function drive<T>(io: Io<T>, outcome: Outcome = START): T | Promise<T> {
  for (;;) {
    const next = outcome.ok ? io.next(outcome.value) : io.throw(outcome.error);
    if (next.done) return next.value;
    const answer = invoke(next.value);
    if (answer instanceof Promise) return answer.then((settled) => drive(io, settled));
    outcome = answer;
  }
}

/**
 * A call started at once whose answer is read later, with {@link Sent.receive}: how the engine
 * puts a batch's statements on the wire before it reads any answer. The outcome is held (a value
 * or error when the call answered synchronously, else a promise that never rejects), so a failure
 * is never unhandled: it is thrown into the engine code that reads the answer, when it reads it.
 */
export class Sent<T> {
  private constructor(private readonly outcome: Outcome | Promise<Outcome>) {}

  /** Starts `work` now. */
  static start<T>(work: () => T | PromiseLike<T>): Sent<T> {
    return new Sent<T>(invoke(work));
  }

  /** A call not made: reading it throws `error`. */
  static failed<T>(error: unknown): Sent<T> {
    return new Sent<T>({ ok: false, error });
  }

  /** Whether the call is already known to have failed (it answered synchronously, with an error). */
  get hasFailed(): boolean {
    return !(this.outcome instanceof Promise) && !this.outcome.ok;
  }

  /** The answer passed through `convert` (when it comes; an error of `convert` is the answer's). */
  map<U>(convert: (value: T) => U): Sent<U> {
    const apply = (outcome: Outcome): Outcome => {
      if (!outcome.ok) return outcome;
      try {
        return { ok: true, value: convert(outcome.value as T) };
      } catch (error) {
        return { ok: false, error };
      }
    };
    return new Sent<U>(this.outcome instanceof Promise ? this.outcome.then(apply) : apply(this.outcome));
  }

  /** Continues with the answer, waiting for it only if it has not come yet; throws the call's error. */
  *receive(): Io<T> {
    const outcome = (yield () => this.outcome) as Outcome;
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  }
}
