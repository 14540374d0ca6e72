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
