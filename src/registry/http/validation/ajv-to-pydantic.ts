import type { ErrorObject } from 'ajv';
import type { ValidationErrorItem } from '../common-schemas.js';
import { missingError, typeError } from './request-validation-error.js';

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => {
      const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
      return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : key;
    });
}

function expectedType(params: Record<string, unknown>): string {
  const type = params.type;
  const types = Array.isArray(type) ? type : String(type).split(',');
  return String(types.find((t) => t !== 'null') ?? types[0]);
}

/** pydantic's `too_long` / `string_too_long` for a list or text over its limit (request-limits.ts). */
export function tooLongError(
  keyword: 'maxItems' | 'maxLength',
  limit: number,
  loc: (string | number)[],
  input: unknown,
): ValidationErrorItem {
  if (keyword === 'maxLength') {
    return {
      type: 'string_too_long',
      loc,
      msg: `String should have at most ${limit} characters`,
      input: `${String(input).slice(0, 64)}…`,
    };
  }
  const length = Array.isArray(input) ? input.length : 0;
  return {
    type: 'too_long',
    loc,
    msg: `List should have at most ${limit} items after validation, not ${length}`,
    input: `[${length} items]`,
  };
}

/**
 * Turns Ajv errors (allErrors + verbose) of a body into FastAPI's 422 items, ordered like
 * pydantic reports them: by the position of the failing field in the model (`fieldOrder`).
 */
export function bodyErrorsToItems(
  errors: readonly ErrorObject[],
  body: unknown,
  fieldOrder: readonly string[],
): ValidationErrorItem[] {
  const items: { rank: number; item: ValidationErrorItem }[] = [];
  for (const error of errors) {
    const path = pathOf(error.instancePath);
    let item: ValidationErrorItem | undefined;
    if (error.keyword === 'required') {
      const field = String((error.params as { missingProperty: string }).missingProperty);
      item = missingError(['body', ...path, field], error.data);
    } else if (error.keyword === 'type') {
      const expected = expectedType(error.params);
      if (path.length === 0) {
        item = {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: body,
        };
      } else {
        item = typeError(expected, ['body', ...path], error.data);
      }
    } else if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      continue;
    } else if (error.keyword === 'maxItems' || error.keyword === 'maxLength') {
      item = tooLongError(error.keyword, Number(error.params.limit), ['body', ...path], error.data);
    } else {
      item = {
        type: 'value_error',
        loc: ['body', ...path],
        msg: `Value error, ${error.message ?? 'invalid'}`,
        input: error.data,
      };
    }
    const field = item.loc[1];
    const rank = typeof field === 'string' ? fieldOrder.indexOf(field) : -1;
    items.push({ rank: rank === -1 ? Number.MAX_SAFE_INTEGER : rank, item });
  }
  // A stable sort keeps Ajv's order among errors of the same field.
  return items.sort((a, b) => a.rank - b.rank).map((entry) => entry.item);
}
