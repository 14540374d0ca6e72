import type { AgentRecord } from '../../mesh/agent.js';
import { canonicalSchemasOf, runtimeOriginOf } from '../../mesh/schema-catalogue.js';
import type { SchemaEntry } from '../../mesh/schema-entry.js';
import type { Micros } from '../../shared/clock.js';
import { goJsonText } from '../http/go-json.js';

/** How many hashes are remembered: more than the distinct schemas of most meshes, about 0.5 MB. */
const DEFAULT_CAPACITY = 4096;

/**
 * The hashes this process knows the schema catalogue holds, so that a heartbeat writes only the
 * schemas first seen (every full heartbeat resends all of an agent's schemas). Bounded: when full,
 * the oldest hash is forgotten. Only a saving: the catalogue keeps the first entry of a hash
 * whatever is written again, so a forgotten hash (or one another replica wrote) is merely sent once
 * more.
 */
export class KnownSchemaHashes {
  readonly #hashes = new Set<string>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /**
   * The catalogue entries of `agent`'s tools (registered at `at`) whose hashes are not known to be
   * stored. Each is one microsecond after the one before, so that newest-first lists them as the Go
   * registry does (it writes the entries of a heartbeat one after another, each with the time of
   * its own write). The schema is kept as the Go registry writes it back (keys sorted, `-0` kept).
   */
  entriesToStore(agent: AgentRecord, at: Micros): SchemaEntry[] {
    const schemas = canonicalSchemasOf(agent.capabilities).filter((s) => !this.#hashes.has(s.hash));
    if (schemas.length === 0) return [];
    const runtimeOrigin = runtimeOriginOf(agent.current?.runtime ?? 'python');
    return schemas.map((schema, i) => ({
      hash: schema.hash,
      canonical: goJsonText(schema.canonical),
      runtimeOrigin,
      createdAt: at + i,
    }));
  }

  /** Records that these entries are stored (call after their transaction committed). */
  remember(entries: readonly SchemaEntry[]): void {
    for (const { hash } of entries) {
      this.#hashes.delete(hash);
      this.#hashes.add(hash);
      if (this.#hashes.size > this.capacity) {
        const oldest = this.#hashes.values().next().value;
        if (oldest !== undefined) this.#hashes.delete(oldest);
      }
    }
  }
}
