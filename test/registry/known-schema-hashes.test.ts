import { describe, expect, it } from 'vitest';
import type { CapabilityRecord } from '../../src/mesh/agent.js';
import { KnownSchemaHashes } from '../../src/registry/current-api/known-schema-hashes.js';
import { agent } from '../helpers/agent-record.js';

const tool = (name: string, fields: Partial<CapabilityRecord>): CapabilityRecord => ({
  name,
  description: '',
  version: '1.0.0',
  tags: [],
  category: null,
  stability: 'stable',
  functionName: name,
  ...fields,
});

const current = (runtime: string, capabilities: CapabilityRecord[]) =>
  agent('a-1', {
    protocol: 'current',
    capabilities,
    current: {
      runtime,
      version: '1.0.0',
      description: '',
      httpHost: '',
      httpPort: 0,
      a2aProducer: false,
      a2aConsumer: false,
      fullHeartbeatAt: 0,
    },
  });

const TOOLS = [
  tool('one', {
    inputSchemaHash: 'sha256:in',
    inputSchemaCanonical: { type: 'object', b: -0, a: 1 },
    outputSchemaHash: 'sha256:out',
    outputSchemaCanonical: { type: 'string' },
  }),
  // Its output repeats a hash (the first content counts); its input has no hash; an empty hash.
  tool('two', {
    inputSchemaCanonical: { type: 'boolean' },
    outputSchemaHash: 'sha256:in',
    outputSchemaCanonical: { type: 'null' },
  }),
  tool('three', {
    outputSchemaHash: '',
    outputSchemaCanonical: { type: 'array' },
    inputSchemaHash: 'sha256:x',
  }),
];

describe('the schemas a heartbeat writes', () => {
  it("are the tools' canonical schemas with a hash, input before output, each hash once, 1 µs apart", () => {
    const entries = new KnownSchemaHashes().entriesToStore(current('TypeScript', TOOLS), 5_000);
    expect(entries).toEqual([
      {
        hash: 'sha256:in',
        canonical: '{"a":1,"b":-0,"type":"object"}',
        runtimeOrigin: 'typescript',
        createdAt: 5_000,
      },
      { hash: 'sha256:out', canonical: '{"type":"string"}', runtimeOrigin: 'typescript', createdAt: 5_001 },
    ]);
  });

  it('name the runtime a schema came from, unknown for one upstream does not know', () => {
    const originOf = (runtime: string) =>
      new KnownSchemaHashes().entriesToStore(current(runtime, TOOLS), 0)[0]?.runtimeOrigin;
    expect([originOf('python'), originOf('java'), originOf('rust')]).toEqual(['python', 'java', 'unknown']);
  });

  it('leave out the hashes remembered as stored, and forget the oldest beyond the capacity', () => {
    const known = new KnownSchemaHashes(2);
    const entries = known.entriesToStore(current('python', TOOLS), 0);
    known.remember(entries);
    expect(known.entriesToStore(current('python', TOOLS), 10)).toEqual([]);
    const third = tool('four', { outputSchemaHash: 'sha256:new', outputSchemaCanonical: {} });
    const withThird = current('python', [...TOOLS, third]);
    known.remember(known.entriesToStore(withThird, 20));
    // `sha256:in` was the oldest of three: it is written again, which the catalogue ignores.
    expect(known.entriesToStore(withThird, 30).map((e) => e.hash)).toEqual(['sha256:in']);
  });
});
