import type { FastifyReply } from 'fastify';

/** Sends a JSON body with the exact content type of the original (no charset parameter). */
export function sendJson(reply: unknown, statusCode: number, body: unknown): FastifyReply {
  return sendJsonText(reply, statusCode, JSON.stringify(body));
}

/** Sends JSON text we rendered ourselves (cached listings, exact key order). */
export function sendJsonText(reply: unknown, statusCode: number, text: string): FastifyReply {
  // A Buffer, because Fastify appends `; charset=utf-8` to string payloads and the original's
  // content type has no parameter (spec §2.1).
  return (reply as FastifyReply)
    .code(statusCode)
    .header('content-type', 'application/json')
    .send(Buffer.from(text));
}

/** Sends a body in another content type (plain text). */
export function sendText(
  reply: unknown,
  statusCode: number,
  contentType: string,
  text: string,
): FastifyReply {
  return (reply as FastifyReply).code(statusCode).header('content-type', contentType).send(text);
}
