/**
 * Copies the write-ahead log back into the database file from a worker thread, so the event loop
 * never waits on it. SQLite's automatic checkpoint runs inside the COMMIT that crosses its
 * threshold: with 10,000 agents heartbeating at 2,000/s that was a 15 ms pause every 220 ms, the
 * scale test's tail latency (docs/benchmarks.md). The main connection turns it off
 * (`wal_autocheckpoint = 0`) and this worker, on a connection of its own, runs a PASSIVE
 * checkpoint every 250 ms: PASSIVE never takes the writers' lock, so commits go on while it
 * copies, and the log stays small.
 */
import { Worker } from 'node:worker_threads';

/** The worker's whole program: a string, so single executables need no file beside them. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
// Node 22 still flags node:sqlite experimental: its warning would only confuse (as in the registry's executable).
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes('SQLite') ? undefined : emitWarning.call(process, warning, ...rest);
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 5000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// A checkpoint with nothing new to copy returns at once; the log file keeps its size and is
// written again from its start once everything in it has been copied.
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error), errcode: error && error.errcode });
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointerOptions {
  /** The database file (not `:memory:`, which has no log). */
  path: string;
  /** How often the worker copies the log into the database file. */
  intervalMs?: number;
  /** A checkpoint failed: SQLite's message and (extended) result code. */
  onError?: (message: string, errcode?: number) => void;
}

export interface WalCheckpointer {
  /** Stops the worker and closes its connection; the main connection's close does the last checkpoint. */
  close(): Promise<void>;
}

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      intervalMs: options.intervalMs ?? 250,
    },
    // A small heap: the worker holds one connection and a timer.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  });
  // The worker must not keep the process alive (a registry that fails to start exits).
  worker.unref();
  worker.on('message', (message: { error?: string; errcode?: number }) => {
    if (message.error !== undefined) options.onError?.(message.error, message.errcode);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async close() {
      worker.postMessage('close');
      const timeout = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
