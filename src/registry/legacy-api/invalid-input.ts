import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationErrorReply } from '../http/common-schemas.js';
import { errorHandler } from '../http/error-handler.js';
import { sendJsonAs } from '../http/replies.js';
import type { RequestValidationError } from '../http/validation/request-validation-error.js';

/** The Python registry's answer to invalid input: 422 with pydantic's list (spec §2.4.1). */
export function replyToInvalidLegacyInput(
  error: RequestValidationError,
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  return sendJsonAs(reply, 422, ValidationErrorReply, { detail: error.items });
}

/** Errors of the routes registered in this (encapsulated) context leave in the legacy API's shape. */
export function useLegacyErrors(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler(app.config.bodyLimitBytes, replyToInvalidLegacyInput));
}
