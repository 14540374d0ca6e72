/**
 * The one error base class of the project: a stable machine-readable `code`, an optional HTTP
 * `statusCode`, a message for people, and an optional `hint` that says what to do about it.
 */
export class MeshError extends Error {
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { statusCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshError';
    this.code = code;
    this.statusCode = options.statusCode;
    this.hint = options.hint;
  }
}

/**
 * The text of any thrown value. Socket errors of a refused dual-stack connection come as an
 * `AggregateError` with an empty message, so their code (or their inner errors) stands in.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner) => describeError(inner)).join('; ');
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
