/**
 * Follows a service's log file from an offset, line by line, as `tail -f` does: polled (the log is
 * appended by another process, and a poll works on every platform and file system). A line is
 * passed on once its newline is written; a last line without one when following stops.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const POLL_MS = 200;
const CHUNK = 64 * 1024;

export interface LogFollower {
  /** Reads what is left, passes on a last unterminated line, and stops. */
  stop(): void;
}

export function followLog(path: string, offset: number, onLine: (line: string) => void): LogFollower {
  let position = offset;
  let pending = Buffer.alloc(0);
  const buffer = Buffer.alloc(CHUNK);
  const readNew = () => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return; // Not written yet, or refused: nothing to show.
    }
    try {
      for (;;) {
        const read = readSync(fd, buffer, 0, CHUNK, position);
        if (read <= 0) break;
        position += read;
        pending = Buffer.concat([pending, buffer.subarray(0, read)]);
      }
    } finally {
      closeSync(fd);
    }
    let newline = pending.indexOf(10);
    while (newline >= 0) {
      onLine(pending.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
      pending = pending.subarray(newline + 1);
      newline = pending.indexOf(10);
    }
  };
  const timer = setInterval(readNew, POLL_MS);
  timer.unref();
  readNew();
  return {
    stop() {
      clearInterval(timer);
      readNew();
      if (pending.length > 0) onLine(pending.toString('utf8'));
      pending = Buffer.alloc(0);
    },
  };
}
