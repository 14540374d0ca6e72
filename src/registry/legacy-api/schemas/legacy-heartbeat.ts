import { type Static, Type } from 'typebox';
import { JsonObject, Nullable } from '../../http/common-schemas.js';

/** The legacy `POST /heartbeat` body (spec §4.3): `status` and `metadata` are type-checked only. */
export const LegacyHeartbeatRequest = Type.Object(
  {
    agent_id: Type.String(),
    status: Type.Optional(Nullable(Type.String({ default: 'healthy' }))),
    metadata: Type.Optional(Nullable(JsonObject)),
  },
  { $id: 'HeartbeatRequest' },
);
export type LegacyHeartbeatRequest = Static<typeof LegacyHeartbeatRequest>;

export const LegacyHeartbeatReply = Type.Object({
  status: Type.Literal('success'),
  timestamp: Type.String(),
  message: Type.String(),
});
