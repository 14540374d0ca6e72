/** Local naive timestamps as Python's `datetime.now().isoformat()` writes them (cli.md Appendix A.6). */

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS.ffffff` in local time; the fraction is omitted when it is zero. */
export function localIsoTimestamp(date: Date = new Date()): string {
  const base = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${localClock(date)}`;
  const micros = date.getMilliseconds() * 1000;
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`;
}

/** `HH:MM:SS` local. */
export function localClock(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS` local. */
export function localDateTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${localClock(date)}`;
}

/**
 * Reads an ISO-8601 time; one without a zone is local time, as the original wrote it. Returns
 * NaN for text that is not a timestamp.
 */
export function parseLocalTimestamp(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) return Date.parse(text);
  const [, y, mo, d, h, mi, s, fraction = '0'] = match;
  const millis = Math.floor(Number(`0.${fraction}`) * 1000);
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis).getTime();
}
