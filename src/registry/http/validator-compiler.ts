import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import { bodyErrorsToItems } from './validation/ajv-to-pydantic.js';
import { compileQueryParser } from './validation/query-parsing.js';
import { RequestValidationError } from './validation/request-validation-error.js';

/**
 * A body schema with this keyword holds two alternatives (`anyOf`): a body object that has the
 * named key is validated against the first, any other body against the second. This is how one
 * path serves two protocols (registry-api-current.md §6); the route's error handler tells them
 * apart by the same key to answer in the right protocol's shape.
 */
export const DISPATCH_KEY = 'x-dispatch-key';

type BodyValidator = (body: unknown) => { value: unknown } | { error: RequestValidationError };

function compileBody(ajv: Ajv, schema: Record<string, unknown>): BodyValidator {
  const dispatchKey = schema[DISPATCH_KEY];
  if (typeof dispatchKey === 'string') {
    const [withKey, withoutKey] = (schema.anyOf as Record<string, unknown>[]).map((branch) =>
      compileBody(ajv, branch),
    );
    return (body) => {
      if (
        body === null ||
        typeof body !== 'object' ||
        Array.isArray(body) ||
        !Object.hasOwn(body, dispatchKey)
      ) {
        return withoutKey!(body);
      }
      return withKey!(body);
    };
  }
  const validate: ValidateFunction = ajv.compile(schema);
  const fieldOrder = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  return (body) => {
    if (body === undefined || body === null) {
      return {
        error: new RequestValidationError([
          { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
        ]),
      };
    }
    if (validate(body)) return { value: body };
    return { error: new RequestValidationError(bodyErrorsToItems(validate.errors ?? [], body, fieldOrder)) };
  };
}

/**
 * Installs the validator compiler: Ajv for bodies (all errors, reported in pydantic's shape),
 * pydantic-style parsing for query strings. Schemas stay the single source of truth for
 * validation, types and the OpenAPI document.
 */
export const validatorCompiler = appWide('validator-compiler', async (app: FastifyInstance) => {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    coerceTypes: false,
    useDefaults: false,
  });
  ajv.addKeyword(DISPATCH_KEY);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'querystring') {
      const parse = compileQueryParser(schema as Parameters<typeof compileQueryParser>[0]);
      return (data: unknown) => {
        const result = parse((data ?? {}) as Record<string, unknown>);
        return 'errors' in result
          ? { error: new RequestValidationError(result.errors) }
          : { value: result.value };
      };
    }
    if (httpPart === 'body') {
      const validate = compileBody(ajv, schema as Record<string, unknown>);
      return (data: unknown) => validate(data);
    }
    // Path parameters are plain strings; nothing to check.
    return (data: unknown) => ({ value: data });
  });
  // Responses are written by our own serialisers (key order of the spec); schemas only document them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
});
