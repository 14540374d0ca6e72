import type { FastifyReply, FastifySchema } from 'fastify';
import type { CallSerializerTypeProvider } from 'fastify/types/type-provider.js';
import type { Static, TSchema } from 'typebox';
import { goJsonText } from './go-json.js';

// biome-ignore lint/suspicious/noExplicitAny: matches a reply of any route, whatever its generics.
type AnyReply = FastifyReply<any, any, any, any, any, any, any, any>;

/**
 * The body a route's response schema gives for `statusCode`, as the route's type provider reads
 * the schema (TypeBox's `Static`): a reply that does not match its schema does not compile.
 */
export type ReplyBody<Reply, Code extends number> =
  // biome-ignore lint/suspicious/noExplicitAny: only the schema and the type provider are read.
  Reply extends FastifyReply<any, any, any, any, any, infer Schema extends FastifySchema, infer Provider, any>
    ? Code extends keyof Schema['response']
      ? CallSerializerTypeProvider<Provider, Schema['response'][Code]>
      : never
    : never;

/**
 * Sends a JSON body with the exact content type of the original (no charset parameter). The body
 * is typed by the route's response schema for that status code; it is written with
 * `JSON.stringify`, in the order its keys were set (the originals' key order, byte for byte).
 */
export function sendJson<Reply extends AnyReply, Code extends number>(
  reply: Reply,
  statusCode: Code,
  body: ReplyBody<Reply, Code>,
): FastifyReply {
  return sendJsonText(reply, statusCode, JSON.stringify(body));
}

/**
 * As {@link sendJson}, written as the Go registry writes it (`go-json.ts`: keys in byte order,
 * HTML characters escaped): for routes whose bodies echo JSON that agents sent.
 */
export function sendGoJson<Reply extends AnyReply, Code extends number>(
  reply: Reply,
  statusCode: Code,
  body: ReplyBody<Reply, Code>,
): FastifyReply {
  return sendJsonText(reply, statusCode, goJsonText(body));
}

/**
 * Sends a JSON body that no route schema describes (error handlers, which answer for every route
 * of their context): typed by the schema given instead.
 */
export function sendJsonAs<Schema extends TSchema>(
  reply: FastifyReply,
  statusCode: number,
  _schema: Schema,
  body: Static<Schema>,
): FastifyReply {
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
