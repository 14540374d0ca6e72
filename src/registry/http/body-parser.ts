import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import { bodyParsingError, isJsonContentType, parseJsonBody } from './validation/json-body.js';

/**
 * A body that was read completely but could not be parsed. The parser hands it on instead of
 * failing, so the error is raised from a hook: Fastify closes the connection when a parser fails
 * (the client might still be sending), which a body read to its end does not need.
 */
class UnparsableBody {
  constructor(readonly error: Error) {}
}

/**
 * Replaces Fastify's parsers with FastAPI's rules (spec §2.4): JSON when the content type is
 * absent or JSON-like; any other content type hands the raw text to validation, which then
 * answers `model_attributes_type` as the original does.
 */
export const bodyParser = appWide('body-parser', async (app: FastifyInstance) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseBody(request.headers['content-type'], body as Buffer));
    } catch (error) {
      done(null, new UnparsableBody(error as Error));
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body instanceof UnparsableBody) throw request.body.error;
  });
});

function parseBody(contentType: string | undefined, buffer: Buffer): unknown {
  if (isJsonContentType(contentType)) return parseJsonBody(buffer);
  if (buffer.length === 0) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch (error) {
    throw bodyParsingError(error);
  }
}
