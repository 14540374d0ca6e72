/**
 * Progress is a float32 in the upstream registry: a value is rounded to float32 and written in
 * the shortest decimal form that reads back as the same float32 (`0.3`, not `0.30000001192…`).
 */
export function float32Value(value: number): number {
  const single = Math.fround(value);
  if (!Number.isFinite(single) || Number.isInteger(single)) return single;
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(single.toPrecision(digits));
    if (Math.fround(shortest) === single) return shortest;
  }
  return single;
}
