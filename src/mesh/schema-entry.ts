/**
 * The schema catalogue: canonical JSON Schemas that agents send with their tools, kept once per
 * content hash (`sha256:<hex>`) and listed by `GET /schemas`. Types only.
 */
import type { Micros } from '../shared/clock.js';

export interface SchemaEntry {
  hash: string;
  /** The canonical schema first received, as JSON text (the Go registry's form of it). */
  canonical: string;
  /** The runtime that first sent it (`python`, `typescript`, `java`, ...). */
  runtimeOrigin: string;
  /** When it was first received. */
  createdAt: Micros;
}
