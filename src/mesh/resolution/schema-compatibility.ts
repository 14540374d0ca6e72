/**
 * The schema stage of dependency resolution, as the upstream Go registry decides it: does a
 * provider tool's published output schema satisfy what a consumer's dependency expects? Both
 * schemas arrive already in canonical form (the SDKs' schema normalizer: sorted `required`, no
 * `additionalProperties: false`, ...), so they are walked as they are, with no JSON Schema
 * validator. Pure: no I/O.
 *
 * The stage runs only for a dependency with a non-empty `matchMode`. For each candidate:
 * 1. no published output hash: `strict` evicts it (`no_published_hash`), any other mode keeps it
 *    (a provider whose SDK does not publish schemas is not cut off);
 * 2. the dependency's `expectedSchemaHash` equals the published hash: kept;
 * 3. `strict`: evicted (the hashes differ);
 * 4. any other mode (`subset`, or a mode upstream does not know): the structural subset check
 *    below; without an `expectedSchemaCanonical` everything is compatible.
 */

/** What a dependency asks of its provider's output. Without `matchMode` there is no schema stage. */
export interface SchemaExpectation {
  readonly matchMode?: string | undefined;
  readonly expectedSchemaHash?: string | undefined;
  readonly expectedSchemaCanonical?: Readonly<Record<string, unknown>> | undefined;
}

/** A provider tool's output schema, as its heartbeat sent it. */
export interface PublishedOutputSchema {
  readonly outputSchemaHash?: string | undefined;
  readonly outputSchemaCanonical?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Why a producer's schema does not satisfy the consumer's, one entry per finding, with upstream's
 * keys in its JSON order (byte order): `path` is dotted (`address.city`; `[]` stands for array items).
 */
export type SchemaMismatch =
  | { consumer_type: unknown; kind: 'type_mismatch'; path: string; producer_type: unknown }
  | { field: string; kind: 'missing_field'; path: string }
  | { kind: 'missing_items_schema'; path: string };

/** Why the stage evicted a candidate: upstream's audit details, keys in its JSON order. */
export type SchemaEviction =
  | {
      consumer_hash: string;
      mode: 'strict';
      producer_hash: '';
      reasons: [{ kind: 'no_published_hash' }];
    }
  | { consumer_hash: string; mode: 'strict'; producer_hash: string }
  | { consumer_hash: string; mode: 'subset'; producer_hash: string; reasons: SchemaMismatch[] };

export type SchemaVerdict = { compatible: true } | { compatible: false; eviction: SchemaEviction };

const COMPATIBLE: SchemaVerdict = { compatible: true };

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the dependency asks for the schema stage (a non-empty `matchMode`). */
export function hasSchemaStage(dep: SchemaExpectation): boolean {
  return typeof dep.matchMode === 'string' && dep.matchMode !== '';
}

/**
 * The hash a tool published for its output: its `outputSchemaHash` when non-empty and sent with an
 * object `outputSchemaCanonical` (upstream keeps neither otherwise), else `''`.
 */
export function publishedOutputHash(tool: PublishedOutputSchema): string {
  const hash = tool.outputSchemaHash;
  return typeof hash === 'string' && hash !== '' && isJsonObject(tool.outputSchemaCanonical) ? hash : '';
}

/** The schema stage's verdict on one candidate tool for one dependency (see the module comment). */
export function schemaVerdict(dep: SchemaExpectation, tool: PublishedOutputSchema): SchemaVerdict {
  if (!hasSchemaStage(dep)) return COMPATIBLE;
  const consumerHash = dep.expectedSchemaHash ?? '';
  const producerHash = publishedOutputHash(tool);
  const isStrict = dep.matchMode === 'strict';
  if (producerHash === '') {
    if (!isStrict) return COMPATIBLE;
    return {
      compatible: false,
      eviction: {
        consumer_hash: consumerHash,
        mode: 'strict',
        producer_hash: '',
        reasons: [{ kind: 'no_published_hash' }],
      },
    };
  }
  if (consumerHash !== '' && consumerHash === producerHash) return COMPATIBLE;
  if (isStrict) {
    return {
      compatible: false,
      eviction: { consumer_hash: consumerHash, mode: 'strict', producer_hash: producerHash },
    };
  }
  const expected = dep.expectedSchemaCanonical;
  const reasons = isJsonObject(expected) ? subsetMismatches(expected, tool.outputSchemaCanonical ?? {}) : [];
  if (reasons.length === 0) return COMPATIBLE;
  return {
    compatible: false,
    eviction: { consumer_hash: consumerHash, mode: 'subset', producer_hash: producerHash, reasons },
  };
}

/**
 * What keeps `producer` from satisfying `consumer` under subset rules (empty: compatible). At each
 * level: the types must be compatible; every field the consumer requires must be among the
 * producer's `properties` and, when both declare it as a schema, compatible in turn; when the
 * consumer describes array `items`, the producer must too, compatibly. Extra producer fields are
 * fine. Every finding is listed, not just the first.
 */
export function subsetMismatches(
  consumer: Readonly<Record<string, unknown>>,
  producer: Readonly<Record<string, unknown>>,
  path = '',
): SchemaMismatch[] {
  const reasons: SchemaMismatch[] = [];
  if (!areTypesCompatible(consumer.type, producer.type)) {
    reasons.push({
      consumer_type: consumer.type ?? null,
      kind: 'type_mismatch',
      path,
      producer_type: producer.type ?? null,
    });
  }
  const consumerProperties = isJsonObject(consumer.properties) ? consumer.properties : {};
  const producerProperties = isJsonObject(producer.properties) ? producer.properties : {};
  for (const field of stringsOf(consumer.required)) {
    if (!Object.hasOwn(producerProperties, field)) {
      reasons.push({ field, kind: 'missing_field', path: joinPath(path, field) });
      continue;
    }
    const consumerField = Object.hasOwn(consumerProperties, field) ? consumerProperties[field] : undefined;
    const producerField = producerProperties[field];
    if (isJsonObject(consumerField) && isJsonObject(producerField)) {
      reasons.push(...subsetMismatches(consumerField, producerField, joinPath(path, field)));
    }
  }
  if (isJsonObject(consumer.items)) {
    const itemsPath = joinPath(path, '[]');
    if (isJsonObject(producer.items))
      reasons.push(...subsetMismatches(consumer.items, producer.items, itemsPath));
    else reasons.push({ kind: 'missing_items_schema', path: itemsPath });
  }
  return reasons;
}

/**
 * Whether the producer's `type` satisfies the consumer's: every consumer type (a string or an
 * array of them) needs an equal producer type, or `integer` where the consumer says `number`. A
 * type missing (or of no usable shape) on either side is compatible with anything.
 */
function areTypesCompatible(consumerType: unknown, producerType: unknown): boolean {
  const consumerTypes = typesOf(consumerType);
  const producerTypes = typesOf(producerType);
  if (consumerTypes.length === 0 || producerTypes.length === 0) return true;
  return consumerTypes.every((wanted) =>
    producerTypes.some((offered) => offered === wanted || (wanted === 'number' && offered === 'integer')),
  );
}

/** A `type` declaration as a list: a non-empty string, or the non-empty strings of an array. */
function typesOf(type: unknown): string[] {
  if (typeof type === 'string') return type === '' ? [] : [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string' && t !== '');
  return [];
}

/** The strings of a `required` array (anything else: none). */
function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function joinPath(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}
