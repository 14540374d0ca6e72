/**
 * One database check shared by the health requests that arrive together. On SQLite the check is
 * synchronous, so requests of one event-loop turn share it; on PostgreSQL it is a round trip, and
 * requests arriving meanwhile share it too (an answer at most one round trip old). A failed check
 * fails every request that shared it; after the turn it settled in, the next request checks again.
 */
export function sharedPing(ping: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | undefined;
  const forget = () => {
    current = undefined;
  };
  return () => {
    if (current === undefined) {
      const started = ping();
      current = started;
      // Settled: later requests (from the next turn on) start a new check.
      started.then(
        () => setImmediate(forget),
        () => setImmediate(forget),
      );
    }
    return current;
  };
}
