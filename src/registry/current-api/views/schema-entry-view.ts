import { Type } from 'typebox';
import type { RuntimeOrigin } from '../../../mesh/schema-catalogue.js';
import type { SchemaEntry } from '../../../mesh/schema-entry.js';
import { isoNanosZ } from '../../../shared/clock.js';
import { JsonObject } from '../../http/common-schemas.js';

/** One schema of the catalogue, as the Go registry lists it (its SchemaEntryInfo). */
export const SchemaEntryReply = Type.Object({
  canonical: JsonObject,
  created_at: Type.String({ description: 'When the registry first received it (RFC 3339, UTC)' }),
  hash: Type.String({ description: 'The content hash, normally sha256:<hex>' }),
  runtime_origin: Type.Union(
    [Type.Literal('python'), Type.Literal('typescript'), Type.Literal('java'), Type.Literal('unknown')],
    { description: 'The runtime of the agent that sent it first' },
  ),
});

export const SchemaEntriesReply = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  schemas: Type.Array(SchemaEntryReply, { description: 'Newest first' }),
});

export function schemaEntryView(entry: SchemaEntry) {
  return {
    canonical: JSON.parse(entry.canonical) as Record<string, unknown>,
    created_at: isoNanosZ(entry.createdAt),
    hash: entry.hash,
    // The catalogue holds only what runtimeOriginOf gives.
    runtime_origin: entry.runtimeOrigin as RuntimeOrigin,
  };
}
