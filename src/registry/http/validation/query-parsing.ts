import type { ValidationErrorItem } from '../common-schemas.js';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** Pydantic's lax boolean from a query string (spec §2.4.1): case-insensitive, no trimming. */
export function parseQueryBoolean(raw: string): boolean | undefined {
  const lower = raw.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}

interface QuerySchema {
  properties?: Record<string, { type?: string; default?: unknown }>;
}

/**
 * Builds the parser of a route's query string from its schema: the last occurrence of a repeated
 * parameter wins (spec §2.3), booleans are parsed as pydantic does, unknown parameters are dropped.
 */
export function compileQueryParser(schema: QuerySchema) {
  const fields = Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
    name,
    isBoolean: prop.type === 'boolean',
  }));
  return (
    query: Record<string, unknown>,
  ): { value: Record<string, unknown> } | { errors: ValidationErrorItem[] } => {
    const value: Record<string, unknown> = {};
    const errors: ValidationErrorItem[] = [];
    for (const { name, isBoolean } of fields) {
      let raw = query[name];
      if (Array.isArray(raw)) raw = raw[raw.length - 1];
      if (raw === undefined) continue;
      const text = String(raw);
      if (!isBoolean) {
        value[name] = text;
        continue;
      }
      const parsed = parseQueryBoolean(text);
      if (parsed === undefined) {
        errors.push({
          type: 'bool_parsing',
          loc: ['query', name],
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: text,
        });
      } else {
        value[name] = parsed;
      }
    }
    return errors.length > 0 ? { errors } : { value };
  };
}
