/**
 * Engine code is written once for a synchronous driver (`node:sqlite`) and an asynchronous one
 * (`pg`): as generators that yield each database call. {@link drive} runs a generator and stays
 * synchronous for as long as the calls answer synchronously, so a SQLite batch still runs in one
 * turn of the event loop (nothing can read the connection while its transaction is open), while
 * on PostgreSQL each call costs exactly the round trip it did before.
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
