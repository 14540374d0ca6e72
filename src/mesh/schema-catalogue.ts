/**
 * Which canonical schemas of a registration go into the schema catalogue (`schema-entry.ts`), by
 * the upstream registry's rule: a tool's input and output schema each count when the heartbeat
 * sent both the canonical schema (an object) and a non-empty hash; the hash is taken as sent, not
 * checked against the schema. A hash already in the catalogue keeps its first entry. Pure.
 */
import type { CapabilityRecord } from './agent.js';

/** One canonical schema of a tool and its content hash. */
export interface CanonicalSchema {
  hash: string;
  canonical: Record<string, unknown>;
}

/** The runtimes a schema entry names as its origin (upstream's four values). */
export type RuntimeOrigin = 'python' | 'typescript' | 'java' | 'unknown';

/** The origin for an agent's `runtime` (case-insensitive; any other runtime is `unknown`). */
export function runtimeOriginOf(runtime: string): RuntimeOrigin {
  const lower = runtime.toLowerCase();
  return lower === 'python' || lower === 'typescript' || lower === 'java' ? lower : 'unknown';
}

function canonicalSchema(hash: string | undefined, canonical: Record<string, unknown> | undefined) {
  return hash !== undefined && hash !== '' && canonical !== undefined ? { hash, canonical } : undefined;
}

/**
 * The catalogue's schemas among these tools, in the order upstream writes them (tool by tool, its
 * input schema before its output schema), each hash once (its first schema).
 */
export function canonicalSchemasOf(capabilities: readonly CapabilityRecord[]): CanonicalSchema[] {
  const schemas = new Map<string, CanonicalSchema>();
  for (const tool of capabilities) {
    for (const schema of [
      canonicalSchema(tool.inputSchemaHash, tool.inputSchemaCanonical),
      canonicalSchema(tool.outputSchemaHash, tool.outputSchemaCanonical),
    ]) {
      if (schema !== undefined && !schemas.has(schema.hash)) schemas.set(schema.hash, schema);
    }
  }
  return [...schemas.values()];
}
