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
