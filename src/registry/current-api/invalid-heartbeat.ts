import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoNanosZ, nowMicros } from '../../shared/clock.js';
import { errorHandler } from '../http/error-handler.js';
import { sendJsonAs } from '../http/replies.js';
import type { RequestValidationError } from '../http/validation/request-validation-error.js';
import { replyToInvalidLegacyInput } from '../legacy-api/invalid-input.js';
import { CurrentErrorReply, isCurrentHeartbeat } from './schemas/current-heartbeat.js';

/**
 * `POST /heartbeat` serves both protocols (registry-api-current.md §6). A body of the current
 * protocol (one with `tools`) that fails validation gets the Go registry's shape, 400
 * `{"error": …, "timestamp": …}` (§2), which its SDK expects; any other body, including one that
 * could not be parsed, gets the legacy 422.
 */
export function replyToInvalidHeartbeat(
  error: RequestValidationError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (!isCurrentHeartbeat(request.body)) return replyToInvalidLegacyInput(error, request, reply);
  return sendJsonAs(reply, 400, CurrentErrorReply, {
    error: `Invalid heartbeat: ${error.message}`,
    timestamp: isoNanosZ(nowMicros()),
  });
}

/** Errors of the heartbeat routes registered in this (encapsulated) context leave in their protocol's shape. */
export function useHeartbeatErrors(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler(app.config.bodyLimitBytes, replyToInvalidHeartbeat));
}
