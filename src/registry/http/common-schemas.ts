import { type Static, type TSchema, Type } from 'typebox';

/** `T` or JSON null, written as a JSON Schema type list so validation errors stay simple. */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** One entry of FastAPI's 422 list (spec registry-api.md §2.4.1). */
export const ValidationErrorItem = Type.Object(
  {
    type: Type.String(),
    loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
    msg: Type.String(),
    input: Type.Unknown(),
    ctx: Type.Optional(Type.Object({ error: Type.String() })),
  },
  { $id: 'ValidationErrorItem' },
);
export type ValidationErrorItem = Static<typeof ValidationErrorItem>;

export const ValidationErrorReply = Type.Object(
  { detail: Type.Array(ValidationErrorItem) },
  { description: 'Validation Error' },
);

export const DetailReply = Type.Object({ detail: Type.String() }, { description: 'Error' });

/** The `{agent_id}` of a path (both protocols). */
export const AgentIdParams = Type.Object({ agent_id: Type.String() });

/** Any JSON object (`dict`). */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());
