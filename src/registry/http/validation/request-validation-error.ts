import type { ValidationErrorItem } from '../common-schemas.js';

/**
 * A request that fails validation, with FastAPI's items (spec §2.4.1). How it is answered is the
 * protocol's choice (the error handler of its routes).
 */
export class RequestValidationError extends Error {
  readonly statusCode = 422;
  readonly items: ValidationErrorItem[];

  constructor(items: ValidationErrorItem[]) {
    super(items.map((item) => `${item.loc.join('.')}: ${item.msg}`).join('; '));
    this.name = 'RequestValidationError';
    this.items = items;
  }
}

/** The pydantic message of a type error, by the JSON type that was expected (spec §2.4.1, §3.7). */
export const TYPE_ERRORS: Record<string, { type: string; msg: string }> = {
  string: { type: 'string_type', msg: 'Input should be a valid string' },
  object: { type: 'dict_type', msg: 'Input should be a valid dictionary' },
  array: { type: 'list_type', msg: 'Input should be a valid list' },
  integer: { type: 'int_type', msg: 'Input should be a valid integer' },
  number: { type: 'float_type', msg: 'Input should be a valid number' },
  boolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
};

export function typeError(expected: string, loc: (string | number)[], input: unknown): ValidationErrorItem {
  const known = TYPE_ERRORS[expected] ?? {
    type: `${expected}_type`,
    msg: `Input should be a valid ${expected}`,
  };
  return { type: known.type, loc, msg: known.msg, input };
}

export function missingError(loc: (string | number)[], input: unknown): ValidationErrorItem {
  return { type: 'missing', loc, msg: 'Field required', input };
}

/** A rule of spec §3.6 broken: `value_error` with the rule's exact message (spec §13.3). */
export function valueError(loc: (string | number)[], message: string, input: unknown): ValidationErrorItem {
  return { type: 'value_error', loc, msg: `Value error, ${message}`, input, ctx: { error: message } };
}
