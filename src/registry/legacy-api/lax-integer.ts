import type { ValidationErrorItem } from '../http/common-schemas.js';

/**
 * Pydantic's lax integer (spec §3.6): integers, floats without a fraction, numeric strings with
 * optional surrounding whitespace, and booleans are accepted; anything else is an error item.
 */
export function parseLaxInteger(value: unknown, loc: (string | number)[]): number | ValidationErrorItem {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    return {
      type: 'int_from_float',
      loc,
      msg: 'Input should be a valid integer, got a number with a fractional part',
      input: value,
    };
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^[+-]?\d+(_\d+)*$/.test(trimmed)) {
      const parsed = Number(trimmed.replaceAll('_', ''));
      if (Number.isSafeInteger(parsed)) return parsed;
    }
    return {
      type: 'int_parsing',
      loc,
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input: value,
    };
  }
  return { type: 'int_type', loc, msg: 'Input should be a valid integer', input: value };
}
