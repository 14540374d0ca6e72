/**
 * Python's float text, for everything the registry and the CLI print as the Python originals did:
 * `repr(float)` (also what `json.dumps` writes for a float) and `f"{x:.Nf}"`. JavaScript's own
 * differ: `String(3.0)` is `3`, `String(1e-5)` is `0.00001` (Python: `1e-05`), and `toFixed` rounds
 * exact ties up (0.25 → "0.3", Python "0.2"). See cli.md Appendix A.3-A.4 and registry-api.md §2.2.
 */

/** `repr(float)`: shortest round-trip digits, positional for exponents −4…15 (Appendix A.3). */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    let text: string;
    if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    else if (digits.length > exponent + 1)
      text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    else text = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
    return sign + text;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/**
 * Python's `f"{value:.{places}f}"`: the exact binary value rounded half to even (JavaScript's
 * `toFixed` rounds exact ties up, e.g. 0.25 → "0.3" where Python gives "0.2"; Appendix A.4).
 */
export function formatFixed(value: number, places = 1): string {
  if (!Number.isFinite(value)) return floatRepr(value);
  const negative = value < 0 || Object.is(value, -0);
  const [numerator, denominatorPower] = exactRational(Math.abs(value));
  const scale = 10n ** BigInt(places);
  const denominator = 1n << denominatorPower;
  const scaled = numerator * scale;
  let quotient = scaled / denominator;
  const twiceRemainder = (scaled % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n))
    quotient += 1n;
  const text = quotient.toString().padStart(places + 1, '0');
  const body = places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
  return (negative ? '-' : '') + body;
}

/** A finite non-negative double as numerator / 2^power, exactly. */
function exactRational(value: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponentBits !== 0) mantissa |= 1n << 52n;
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  return exponent >= 0 ? [mantissa << BigInt(exponent), 0n] : [mantissa, BigInt(-exponent)];
}
