import { describe, expect, it } from 'vitest';
import {
  hasSchemaStage,
  publishedOutputHash,
  type SchemaExpectation,
  schemaVerdict,
  subsetMismatches,
} from '../../../src/mesh/resolution/schema-compatibility.js';

const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;

const weather = {
  type: 'object',
  properties: { city: { type: 'string' }, temp: { type: 'integer' } },
  required: ['city', 'temp'],
};
const cityOnly = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

const producer = (canonical: Record<string, unknown>, hash = HASH_B) => ({
  outputSchemaCanonical: canonical,
  outputSchemaHash: hash,
});
const subset = (canonical?: Record<string, unknown>, hash = HASH_A): SchemaExpectation => ({
  matchMode: 'subset',
  expectedSchemaHash: hash,
  expectedSchemaCanonical: canonical,
});

describe('whether a dependency has a schema stage', () => {
  it('has one only with a non-empty matchMode', () => {
    expect(hasSchemaStage({ matchMode: 'subset' })).toBe(true);
    expect(hasSchemaStage({ matchMode: 'anything' })).toBe(true);
    expect(hasSchemaStage({ matchMode: '' })).toBe(false);
    expect(hasSchemaStage({ expectedSchemaHash: HASH_A, expectedSchemaCanonical: cityOnly })).toBe(false);
  });

  it('lets every candidate pass without one, whatever the schemas', () => {
    const dep = { expectedSchemaHash: HASH_A, expectedSchemaCanonical: { type: 'number' } };
    expect(schemaVerdict(dep, producer({ type: 'string' }))).toEqual({ compatible: true });
    expect(schemaVerdict({ ...dep, matchMode: '' }, {})).toEqual({ compatible: true });
  });
});

describe('the published output hash of a tool', () => {
  it('is the hash only when it came with an object canonical schema', () => {
    expect(publishedOutputHash(producer(cityOnly))).toBe(HASH_B);
    expect(publishedOutputHash(producer({}))).toBe(HASH_B);
    expect(publishedOutputHash({ outputSchemaHash: HASH_B })).toBe('');
    expect(publishedOutputHash({ outputSchemaCanonical: cityOnly })).toBe('');
    expect(publishedOutputHash(producer(cityOnly, ''))).toBe('');
  });
});

describe('the schema stage for a provider that published no output schema', () => {
  it('keeps it under subset and any unknown mode', () => {
    expect(schemaVerdict(subset(cityOnly), {})).toEqual({ compatible: true });
    expect(schemaVerdict({ ...subset(cityOnly), matchMode: 'loose' }, {})).toEqual({ compatible: true });
    // A hash without its canonical schema is not published.
    expect(schemaVerdict(subset({ type: 'number' }), { outputSchemaHash: HASH_B })).toEqual({
      compatible: true,
    });
  });

  it('evicts it under strict, saying no hash was published', () => {
    expect(schemaVerdict({ matchMode: 'strict', expectedSchemaHash: HASH_A }, {})).toEqual({
      compatible: false,
      eviction: {
        consumer_hash: HASH_A,
        mode: 'strict',
        producer_hash: '',
        reasons: [{ kind: 'no_published_hash' }],
      },
    });
  });
});

describe('the schema stage under strict', () => {
  it('keeps only a provider whose hash equals the expected one', () => {
    expect(schemaVerdict({ matchMode: 'strict', expectedSchemaHash: HASH_B }, producer(cityOnly))).toEqual({
      compatible: true,
    });
    // A superset is not enough: strict means the same canonical schema.
    expect(
      schemaVerdict(
        { matchMode: 'strict', expectedSchemaHash: HASH_A, expectedSchemaCanonical: cityOnly },
        producer(weather),
      ),
    ).toEqual({
      compatible: false,
      eviction: { consumer_hash: HASH_A, mode: 'strict', producer_hash: HASH_B },
    });
  });

  it('evicts every provider when the dependency names no hash', () => {
    expect(
      schemaVerdict({ matchMode: 'strict', expectedSchemaCanonical: cityOnly }, producer(cityOnly)),
    ).toEqual({
      compatible: false,
      eviction: { consumer_hash: '', mode: 'strict', producer_hash: HASH_B },
    });
  });
});

describe('the schema stage under subset', () => {
  it('keeps a provider with the expected hash without comparing the schemas', () => {
    expect(schemaVerdict(subset({ type: 'number' }, HASH_B), producer({ type: 'string' }))).toEqual({
      compatible: true,
    });
  });

  it('keeps a provider whose output has every required field, with extra fields', () => {
    expect(schemaVerdict(subset(cityOnly), producer(weather))).toEqual({ compatible: true });
  });

  it('keeps every provider when the dependency sent no expected schema', () => {
    expect(schemaVerdict(subset(undefined), producer({ type: 'string' }))).toEqual({ compatible: true });
  });

  it('evicts a provider that lacks a required field, with the reasons', () => {
    expect(schemaVerdict(subset(weather), producer(cityOnly))).toEqual({
      compatible: false,
      eviction: {
        consumer_hash: HASH_A,
        mode: 'subset',
        producer_hash: HASH_B,
        reasons: [{ field: 'temp', kind: 'missing_field', path: 'temp' }],
      },
    });
  });

  it('treats a mode it does not know as subset', () => {
    const verdict = schemaVerdict({ ...subset(weather), matchMode: 'fuzzy' }, producer(cityOnly));
    expect(verdict.compatible).toBe(false);
    expect(!verdict.compatible && verdict.eviction.mode).toBe('subset');
  });
});

describe('the subset comparison of two canonical schemas', () => {
  it('accepts equal types and integer where a number is expected, not the reverse', () => {
    expect(subsetMismatches({ type: 'string' }, { type: 'string' })).toEqual([]);
    expect(subsetMismatches({ type: 'number' }, { type: 'integer' })).toEqual([]);
    expect(subsetMismatches({ type: 'integer' }, { type: 'number' })).toEqual([
      { consumer_type: 'integer', kind: 'type_mismatch', path: '', producer_type: 'number' },
    ]);
  });

  it('needs a producer type for each type of a consumer type list', () => {
    expect(subsetMismatches({ type: ['string', 'null'] }, { type: ['null', 'string', 'integer'] })).toEqual(
      [],
    );
    expect(subsetMismatches({ type: ['string', 'null'] }, { type: 'string' })).toEqual([
      { consumer_type: ['string', 'null'], kind: 'type_mismatch', path: '', producer_type: 'string' },
    ]);
  });

  it('takes a missing, empty or unusable type on either side as anything', () => {
    expect(subsetMismatches({ type: 'string' }, {})).toEqual([]);
    expect(subsetMismatches({}, { type: 'string' })).toEqual([]);
    expect(subsetMismatches({ type: '' }, { type: 'string' })).toEqual([]);
    expect(subsetMismatches({ type: 'string' }, { type: 7 })).toEqual([]);
  });

  it('walks into required fields, naming nested paths, and keeps walking after a type mismatch', () => {
    const consumer = {
      type: 'object',
      properties: {
        address: {
          type: 'object',
          properties: { city: { type: 'string' }, zip: { type: 'string' } },
          required: ['city', 'zip'],
        },
      },
      required: ['address'],
    };
    const producerSchema = {
      type: 'array',
      properties: {
        address: { type: 'object', properties: { city: { type: 'integer' } }, required: ['city'] },
      },
    };
    expect(subsetMismatches(consumer, producerSchema)).toEqual([
      { consumer_type: 'object', kind: 'type_mismatch', path: '', producer_type: 'array' },
      { consumer_type: 'string', kind: 'type_mismatch', path: 'address.city', producer_type: 'integer' },
      { field: 'zip', kind: 'missing_field', path: 'address.zip' },
    ]);
  });

  it('does not look at optional consumer fields, nor at a required field the consumer does not describe', () => {
    const consumer = {
      type: 'object',
      properties: { note: { type: 'string' } },
      required: ['id'],
    };
    expect(subsetMismatches(consumer, { type: 'object', properties: { id: { type: 'boolean' } } })).toEqual(
      [],
    );
  });

  it('compares array items, and misses an items schema the producer does not have', () => {
    const consumer = {
      type: 'array',
      items: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
    };
    expect(
      subsetMismatches(consumer, {
        type: 'array',
        items: { type: 'object', properties: { n: { type: 'integer' } } },
      }),
    ).toEqual([]);
    expect(subsetMismatches(consumer, { type: 'array', items: { type: 'object', properties: {} } })).toEqual([
      { field: 'n', kind: 'missing_field', path: '[].n' },
    ]);
    expect(
      subsetMismatches(
        { type: 'object', properties: { xs: consumer }, required: ['xs'] },
        {
          type: 'object',
          properties: { xs: { type: 'array' } },
        },
      ),
    ).toEqual([{ kind: 'missing_items_schema', path: 'xs.[]' }]);
  });

  it("finds a required field only among the producer's own properties", () => {
    expect(subsetMismatches({ required: ['constructor', 'toString'] }, { properties: {} })).toEqual([
      { field: 'constructor', kind: 'missing_field', path: 'constructor' },
      { field: 'toString', kind: 'missing_field', path: 'toString' },
    ]);
    expect(subsetMismatches({ required: ['a'] }, { properties: { a: null } })).toEqual([]);
  });
});
