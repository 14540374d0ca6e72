/** Median of the rounds: robust to one round disturbed by the shared machine. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * `n` to `digits` significant figures, with thousands separators (`11,600`, `0.54`, `45`): the
 * precision a shared machine's noise allows, not what the arithmetic gives.
 */
export function sig(n: number | undefined, digits = 2): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  if (n === 0) return '0';
  const text = n.toPrecision(digits);
  // toPrecision keeps trailing zeros (`2.0`) but gives `1.2e+4` for large numbers.
  return text.includes('e') || Math.abs(n) >= 1000
    ? Number(text).toLocaleString('en-US', { maximumFractionDigits: 6 })
    : text;
}

/** `a / b` to 2 significant figures (`45x`, `0.54x`), or `n/a` when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
    return 'n/a';
  return `${sig(a / b)}x`;
}

/**
 * The ratio of the medians, followed by the range of the per-round ratios when there are several
 * rounds (`45x (41–50)`): rounds are interleaved, so round i of both sides ran minutes apart at
 * most, and the range is the noise the ratio carries.
 */
export function ratioWithRange(a: number[] | undefined, b: number[] | undefined): string {
  if (!a?.length || !b?.length) return 'n/a';
  const main = ratio(median(a), median(b));
  const perRound = a
    .slice(0, b.length)
    .map((x, i) => x / (b[i] as number))
    .filter(Number.isFinite);
  if (perRound.length < 2) return main;
  return `${main} (${sig(Math.min(...perRound))}–${sig(Math.max(...perRound))})`;
}

/** (max − min) / median of the rounds: how far apart repeated measurements of one cell were. */
export function spread(values: number[]): number {
  if (values.length < 2) return Number.NaN;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

export function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
