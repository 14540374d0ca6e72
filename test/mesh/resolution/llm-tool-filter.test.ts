import { describe, expect, it } from 'vitest';
import {
  type LlmToolCandidate,
  llmEndpoint,
  poolOf,
  selectLlmTools,
} from '../../../src/mesh/resolution/llm-tool-filter.js';

function tool(
  overrides: Partial<LlmToolCandidate> & { agentId: string; functionName: string },
): LlmToolCandidate {
  return {
    namespace: 'default',
    isHealthy: true,
    endpoint: 'unused',
    capability: 'weather',
    version: '1.0.0',
    tags: [],
    kwargs: {},
    description: '',
    inputSchema: { type: 'object' },
    httpHost: '',
    httpPort: 0,
    ...overrides,
  };
}

/** Agent and function of each selected tool, in order. */
function select(filter: unknown, tools: LlmToolCandidate[], consumer = 'consumer') {
  return selectLlmTools(filter, poolOf(tools), consumer)?.map(
    (t) => `${t.endpoint.replace(/^stdio:\/\//, '')}/${t.name}`,
  );
}

const A = tool({ agentId: 'a', functionName: 'get_weather', tags: ['weather', 'fast'], version: '1.2.0' });
const B = tool({ agentId: 'b', functionName: 'get_forecast', tags: ['weather'], version: '2.0.0' });
const C = tool({ agentId: 'c', functionName: 'convert', capability: 'units', version: '1.0' });
const D = tool({ agentId: 'd', functionName: 'get_weather', tags: ['weather', 'slow'], version: '1.5.0' });
const OWN = tool({ agentId: 'consumer', functionName: 'helper', capability: 'help' });
const POOL = [A, B, C, D, OWN];

describe('selectLlmTools: which functions get an entry', () => {
  it.each([
    ['no object', ['weather']],
    ['null', null],
    ['no filter key', { filter_mode: 'all' }],
    ['a filter that is not an array', { filter: 'weather' }],
    ['an element that is a number', { filter: ['weather', 5] }],
    ['an element that is null', { filter: [null] }],
    ['an element that is an array', { filter: [['weather']] }],
  ])('gives none for %s', (_, filter) => {
    expect(select(filter, POOL)).toBeUndefined();
  });

  it('gives an empty list for an empty filter', () => {
    expect(select({ filter: [] }, POOL)).toEqual([]);
  });
});

describe('selectLlmTools: filter forms', () => {
  it('a string is the tools of that capability, deduplicated by function name (the first wins)', () => {
    expect(select({ filter: ['weather'] }, POOL)).toEqual(['a/get_weather', 'b/get_forecast']);
  });

  it('"*" is every tool, the consumer\'s own included', () => {
    expect(select({ filter: ['*'] }, POOL)).toEqual([
      'a/get_weather',
      'b/get_forecast',
      'c/convert',
      'consumer/helper',
    ]);
  });

  it('an object narrows by capability, tags (sorted by score) and version', () => {
    expect(select({ filter: [{ capability: 'weather', tags: ['+slow'] }] }, POOL)).toEqual([
      'd/get_weather',
      'b/get_forecast',
    ]);
    expect(select({ filter: [{ capability: 'weather', tags: ['weather', '-fast'] }] }, POOL)).toEqual([
      'b/get_forecast',
      'd/get_weather',
    ]);
    expect(select({ filter: [{ capability: 'weather', version: '>=1.5.0' }] }, POOL)).toEqual([
      'b/get_forecast',
      'd/get_weather',
    ]);
    // A plain tag is required.
    expect(select({ filter: [{ tags: ['fast'] }] }, POOL)).toEqual(['a/get_weather']);
  });

  it('an object without a string capability does not constrain the capability', () => {
    expect(select({ filter: [{ capability: 5, version: '1.0' }] }, POOL)).toEqual([
      'c/convert',
      'consumer/helper',
    ]);
    expect(select({ filter: [{}] }, POOL)).toHaveLength(4);
  });

  it('ignores non-string tags (no OR groups here) and a tags value that is not an array', () => {
    expect(select({ filter: [{ capability: 'weather', tags: [['slow'], 3] }] }, POOL)).toEqual([
      'a/get_weather',
      'b/get_forecast',
    ]);
    expect(select({ filter: [{ capability: 'weather', tags: 'slow' }] }, POOL)).toEqual([
      'a/get_weather',
      'b/get_forecast',
    ]);
  });

  it('mixes forms in order, then deduplicates by function name across all of them', () => {
    expect(
      select({ filter: ['units', { capability: 'weather', tags: ['slow'] }, 'weather', 'help'] }, POOL),
    ).toEqual(['c/convert', 'd/get_weather', 'b/get_forecast', 'consumer/helper']);
  });
});

describe('selectLlmTools: filter modes', () => {
  it('"*" ignores the filter and leaves out only the consumer\'s own tools', () => {
    expect(select({ filter: ['nothing'], filter_mode: '*' }, POOL)).toEqual([
      'a/get_weather',
      'b/get_forecast',
      'c/convert',
    ]);
  });

  it.each([undefined, 'all', 'anything', 7])('%j behaves as "all"', (mode) => {
    expect(select({ filter: ['weather', 'help'], filter_mode: mode }, POOL)).toEqual([
      'a/get_weather',
      'b/get_forecast',
      'consumer/helper',
    ]);
  });

  it('best_match keeps one tool per capability: higher version, else more tags', () => {
    const result = select({ filter: ['weather', 'units'], filter_mode: 'best_match' }, POOL);
    expect(result).toEqual(['b/get_forecast', 'c/convert']);
    const sameVersion = [
      tool({ agentId: 'x', functionName: 'f1', tags: ['a'] }),
      tool({ agentId: 'y', functionName: 'f2', tags: ['a', 'b'] }),
      tool({ agentId: 'z', functionName: 'f3', tags: ['c', 'd'] }),
    ];
    expect(select({ filter: ['weather'], filter_mode: 'best_match' }, sameVersion)).toEqual(['y/f2']);
    const invalid = [
      tool({ agentId: 'x', functionName: 'f1', version: 'latest', tags: [] }),
      tool({ agentId: 'y', functionName: 'f2', version: '9.0.0', tags: [] }),
    ];
    expect(select({ filter: ['weather'], filter_mode: 'best_match' }, invalid)).toEqual(['x/f1']);
  });
});

describe('selectLlmTools: the pool', () => {
  it('never gives tools without an input schema or of unhealthy agents', () => {
    const pool = [
      tool({ agentId: 'sick', functionName: 'get_weather', isHealthy: false }),
      tool({ agentId: 'bare', functionName: 'get_forecast', inputSchema: undefined }),
      ...POOL,
    ];
    for (const filter of [{ filter: ['weather'] }, { filter: ['*'] }, { filter: [], filter_mode: '*' }]) {
      const result = select(filter, pool) ?? [];
      expect(result).not.toContain('sick/get_weather');
      expect(result).not.toContain('bare/get_forecast');
      expect(result).toContain('a/get_weather');
    }
  });

  it("lists a tool with Go's keys and order, the schema keys sorted, kwargs left out", () => {
    const t = tool({
      agentId: 'a',
      functionName: 'f',
      description: 'does f',
      tags: ['x'],
      kwargs: { timeout: 5 },
      inputSchema: { type: 'object', properties: { b: {}, a: {} } },
      httpHost: '0.0.0.0',
      httpPort: 9000,
    });
    const [entry] = selectLlmTools({ filter: ['weather'] }, poolOf([t]), 'c') ?? [];
    expect(JSON.stringify(entry)).toBe(
      '{"capability":"weather","description":"does f","endpoint":"http://localhost:9000",' +
        '"inputSchema":{"properties":{"a":{},"b":{}},"type":"object"},"name":"f","tags":["x"],"version":"1.0.0"}',
    );
  });
});

describe('llmEndpoint', () => {
  it.each([
    ['a', '', 0, false, 'stdio://a'],
    ['a', 'host', 0, false, 'stdio://a'],
    ['a', '', 80, false, 'http://localhost:80'],
    ['a', '0.0.0.0', 80, false, 'http://localhost:80'],
    ['a', '10.0.0.1', 80, false, 'http://10.0.0.1:80'],
    ['a', 'https://foo', 80, false, 'http://foo:80'],
    ['a', 'http://', 80, false, 'http://:80'],
    ['a', 'http://', 80, true, 'http://http://:80'],
    ['a', 'http://foo', 80, true, 'http://foo:80'],
  ])('%s %j %d (provider %s) → %s', (agent, host, port, forProvider, expected) => {
    expect(llmEndpoint(agent, host, port, forProvider)).toBe(expected);
  });
});
