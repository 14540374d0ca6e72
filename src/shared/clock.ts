/**
 * Time in microseconds since the Unix epoch. The Python original writes timestamps with six
 * fractional digits (spec registry-api.md §2.2, §12.1), so we keep microseconds instead of the
 * millisecond resolution of `Date`.
 */
export type Micros = number;

// Read from Date.now() (not performance.timeOrigin), so a process whose clock is shifted (a
// preloaded Date.now in the clock-step tests) has its whole time base shifted the same way.
const origin = (Date.now() - performance.now()) * 1000;
let last = 0;
/** How far this process's time was moved ahead to keep up with times other replicas wrote. */
let catchUp = 0;

/** The current time in whole microseconds; never goes backwards within one process. */
export function nowMicros(): Micros {
  const now = Math.floor(origin + performance.now() * 1000) + catchUp;
  last = Math.max(now, last);
  return last;
}

/** A monotonic time in microseconds, for measuring intervals only (no relation to any date). */
export function monotonicMicros(): Micros {
  return Math.floor(performance.now() * 1000);
}

/**
 * Moves this process's time ahead to `micros` if it is behind it: a time another replica (or an
 * earlier run, before a clock step) wrote. Every replica thus runs on one time base, the most
 * advanced clock among them, and a time written later is never smaller than one it has seen, so
 * a change stamped by one replica is newer than what its consumers did through another.
 */
export function keepUpWith(micros: Micros): void {
  const gap = micros - nowMicros();
  if (gap > 0) catchUp += gap;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatUtc(micros: Micros, zone: string): string {
  const ms = Math.floor(micros / 1000);
  const fraction = micros - ms * 1000 + (ms % 1000) * 1000;
  const d = new Date(ms);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  // Python drops the fraction only when the microsecond is exactly zero (§2.2).
  return fraction === 0 ? `${base}${zone}` : `${base}.${pad(fraction, 6)}${zone}`;
}

/** `2025-06-08T10:00:00.123456Z`: pydantic's rendering of model datetimes (§2.2). */
export function isoZ(micros: Micros): string {
  return formatUtc(micros, 'Z');
}

/** `2025-06-08T10:00:00.123456+00:00`: Python `isoformat()`, used by envelopes (§2.2). */
export function isoOffset(micros: Micros): string {
  return formatUtc(micros, '+00:00');
}

/** Nanosecond-style RFC 3339 as the current protocol's Go registry writes it (`…381986196Z`). */
export function isoNanosZ(micros: Micros): string {
  const text = formatUtc(micros, '');
  const dot = text.indexOf('.');
  const fraction = dot === -1 ? '000000' : text.slice(dot + 1);
  const base = dot === -1 ? text : text.slice(0, dot);
  return `${base}.${fraction}000Z`;
}

/** `resource_version`: the time of the last change in milliseconds, as a decimal string (§4.4.5). */
export function resourceVersionOf(micros: Micros): string {
  return String(Math.floor(micros / 1000));
}

/**
 * Parses the timestamp forms we and the Python original wrote (`…Z`, `…+00:00`, or SQLite's
 * `YYYY-MM-DD HH:MM:SS`) into microseconds; undefined when it is not a timestamp.
 */
export function parseTimestamp(text: string): Micros | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  const micros = Number(frac.padEnd(6, '0').slice(0, 6));
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return (ms - offsetMinutes * 60_000) * 1000 + micros;
}
