/**
 * The schema catalogue: canonical JSON Schemas that agents send with their tools, kept once per
 * content hash (`sha256:<hex>`) and listed by `GET /schemas`. Types only.
 */
import type { Micros } from '../shared/clock.js';

export interface SchemaEntry {
  hash: string;
  /** The canonical schema as JSON text, exactly as first received. */
  canonical: string;
  /** The runtime that first sent it (`python`, `typescript`, `java`, ...). */
  runtimeOrigin: string;
  /** When it was first received. */
  createdAt: Micros;
}
