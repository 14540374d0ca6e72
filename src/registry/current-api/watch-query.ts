import { Type } from 'typebox';
import type { ValidationErrorItem } from '../http/common-schemas.js';
import { RequestValidationError, valueError } from '../http/validation/request-validation-error.js';

/** How long a blocking query waits when it names no `wait` (Consul's default). */
export const DEFAULT_WAIT_MS = 5 * 60_000;
/** The longest `wait` a blocking query may ask for (Consul's cap; longer is refused, not cut). */
export const MAX_WAIT_MS = 10 * 60_000;
/** The response header with the index a reply reflects (the next blocking query's `index`). */
export const INDEX_HEADER = 'x-mesh-index';

/** The watch parameters of a listing: strings, as sent; {@link parseWatchQuery} reads them. */
export const WatchQueryFields = {
  index: Type.Optional(
    Type.String({
      description:
        'Blocking query: answer once the registry index (header X-Mesh-Index) is above this, or after wait',
    }),
  ),
  wait: Type.Optional(
    Type.String({
      description: 'With index: the longest wait, such as 500ms, 30s or 5m (default 5m, at most 10m)',
    }),
  ),
};

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

export interface WatchQuery {
  /** Wait for an index above this (undefined: answer at once). */
  index: number | undefined;
  waitMs: number;
}

/**
 * Reads `index` (a non-negative integer) and `wait` (a Go-style duration of one unit: `ms`, `s`
 * or `m`, at most {@link MAX_WAIT_MS}). Throws a {@link RequestValidationError} with pydantic's
 * items, which the route answers in its protocol's shape (422 on `GET /agents`).
 */
export function parseWatchQuery(query: {
  index?: string | undefined;
  wait?: string | undefined;
}): WatchQuery {
  const errors: ValidationErrorItem[] = [];
  let index: number | undefined;
  if (query.index !== undefined) {
    const text = query.index.trim();
    if (!/^[+-]?\d+$/.test(text)) {
      errors.push({
        type: 'int_parsing',
        loc: ['query', 'index'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: query.index,
      });
    } else if (Number(text) < 0) {
      errors.push({
        type: 'greater_than_equal',
        loc: ['query', 'index'],
        msg: 'Input should be greater than or equal to 0',
        input: query.index,
      });
    } else {
      // Past 2^53 every index is "far in the future": the wait runs its course.
      index = Math.min(Number(text), Number.MAX_SAFE_INTEGER);
    }
  }
  let waitMs = DEFAULT_WAIT_MS;
  if (query.wait !== undefined) {
    const match = /^(\d{1,9}(?:\.\d{1,3})?)(ms|s|m)$/.exec(query.wait);
    if (match === null) {
      errors.push(
        valueError(['query', 'wait'], 'wait must be a duration such as 500ms, 30s or 5m', query.wait),
      );
    } else {
      waitMs = Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
      if (waitMs > MAX_WAIT_MS)
        errors.push(valueError(['query', 'wait'], 'wait must be at most 10m', query.wait));
    }
  }
  if (errors.length > 0) throw new RequestValidationError(errors);
  return { index, waitMs };
}
