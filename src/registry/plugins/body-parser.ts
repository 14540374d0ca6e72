import type { FastifyInstance } from 'fastify';
import { bodyParsingError, isJsonContentType, parseJsonBody } from '../validation/json-body.js';

/**
 * Replaces Fastify's parsers with FastAPI's rules (spec §2.4): JSON when the content type is
 * absent or JSON-like; any other content type hands the raw text to validation, which then
 * answers `model_attributes_type` as the original does.
 */
export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const buffer = body as Buffer;
    try {
      if (isJsonContentType(request.headers['content-type'])) {
        done(null, parseJsonBody(buffer));
      } else if (buffer.length === 0) {
        done(null, undefined);
      } else {
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
        } catch (error) {
          throw bodyParsingError(error);
        }
        done(null, text);
      }
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
