import { describe, expect, it } from 'vitest';
import {
  type DependencySpec,
  type ProviderTool,
  resolveAlternatives,
  resolveDependency,
  toResolution,
} from '../../../src/mesh/resolution/resolve-dependency.js';

function tool(overrides: Partial<ProviderTool> & { agentId: string }): ProviderTool {
  return {
    namespace: 'default',
    isHealthy: true,
    endpoint: `http://127.0.0.1:9000/${overrides.agentId}`,
    functionName: 'get_date',
    capability: 'date_service',
    version: '1.0.0',
    tags: ['system', 'time'],
    kwargs: {},
    ...overrides,
  };
}

function resolveId(
  dep: DependencySpec,
  candidates: ProviderTool[],
  consumer = 'consumer-1',
): string | undefined {
  return resolveDependency(dep, candidates, consumer)?.agentId;
}

describe('resolveDependency filters', () => {
  it.each<[string, DependencySpec, ProviderTool[], string | undefined]>([
    [
      'resolves the provider of the capability',
      { capability: 'date_service' },
      [tool({ agentId: 'a' }), tool({ agentId: 'b', capability: 'weather' })],
      'a',
    ],
    [
      'matches the capability name case-sensitively',
      { capability: 'date_service' },
      [tool({ agentId: 'a', capability: 'Date_Service' })],
      undefined,
    ],
    ['resolves nothing without candidates', { capability: 'date_service' }, [], undefined],
    [
      'skips unhealthy providers',
      { capability: 'date_service' },
      [tool({ agentId: 'a', isHealthy: false }), tool({ agentId: 'b' })],
      'b',
    ],
    [
      'resolves nothing when every provider is unhealthy',
      { capability: 'date_service' },
      [tool({ agentId: 'a', isHealthy: false })],
      undefined,
    ],
    [
      'skips providers missing a required tag',
      { capability: 'date_service', tags: ['gpu'] },
      [tool({ agentId: 'a' }), tool({ agentId: 'b', tags: ['gpu'] })],
      'b',
    ],
    [
      'skips providers carrying an excluded tag',
      { capability: 'date_service', tags: ['-time'] },
      [tool({ agentId: 'a' }), tool({ agentId: 'b', tags: ['system'] })],
      'b',
    ],
    [
      'skips providers outside an OR group',
      { capability: 'date_service', tags: [['python', 'java']] },
      [tool({ agentId: 'a' }), tool({ agentId: 'b', tags: ['java'] })],
      'b',
    ],
    [
      'skips providers whose version fails the constraint',
      { capability: 'date_service', version: '>=2.0.0' },
      [tool({ agentId: 'a', version: '1.9.0' }), tool({ agentId: 'b', version: '2.1.0' })],
      'b',
    ],
    [
      'compares an unparseable version with an equal constraint as strings',
      { capability: 'date_service', version: 'nightly' },
      [tool({ agentId: 'a', version: '1.0.0' }), tool({ agentId: 'b', version: 'nightly' })],
      'b',
    ],
    [
      'fails a provider with an empty version against a constraint',
      { capability: 'date_service', version: '*' },
      [tool({ agentId: 'a', version: '' })],
      undefined,
    ],
    [
      'accepts an empty provider version when there is no constraint',
      { capability: 'date_service', version: '' },
      [tool({ agentId: 'a', version: '' })],
      'a',
    ],
    [
      'resolves nothing for an empty capability',
      { capability: '' },
      [tool({ agentId: 'a', capability: '' })],
      undefined,
    ],
    [
      'ignores the namespace of the dependency, as upstream does',
      { capability: 'date_service', namespace: 'production' },
      [tool({ agentId: 'a', namespace: 'default' })],
      'a',
    ],
  ])('%s', (_name, dep, candidates, expected) => {
    expect(resolveId(dep, candidates)).toBe(expected);
  });

  it('lets an agent satisfy its own dependency, as upstream does', () => {
    expect(resolveId({ capability: 'date_service' }, [tool({ agentId: 'me' })], 'me')).toBe('me');
  });

  it('excludes the consumer only when asked to', () => {
    const candidates = [tool({ agentId: 'me', version: '9.0.0' }), tool({ agentId: 'other' })];
    const found = resolveDependency({ capability: 'date_service' }, candidates, 'me', {
      excludeConsumer: true,
    });
    expect(found?.agentId).toBe('other');
  });

  it('filters by namespace only when asked to', () => {
    const candidates = [tool({ agentId: 'a', version: '9.0.0' }), tool({ agentId: 'b', namespace: 'prod' })];
    const dep = { capability: 'date_service', namespace: 'prod' };
    expect(resolveDependency(dep, candidates, 'c', { matchNamespace: true })?.agentId).toBe('b');
    expect(
      resolveDependency({ capability: 'date_service' }, candidates, 'c', { matchNamespace: true })?.agentId,
    ).toBe('a');
  });
});

describe('resolveDependency choice', () => {
  it.each<[string, DependencySpec, ProviderTool[], string]>([
    [
      'prefers the higher tag score over a higher version',
      { capability: 'date_service', tags: ['+gpu'] },
      [tool({ agentId: 'a', version: '9.9.9' }), tool({ agentId: 'b', version: '1.0.0', tags: ['gpu'] })],
      'b',
    ],
    [
      'prefers the highest version among equal scores',
      { capability: 'date_service' },
      [
        tool({ agentId: 'a', version: '4.6.0' }),
        tool({ agentId: 'b', version: '5.0.0' }),
        tool({ agentId: 'c', version: '4.7.0' }),
      ],
      'b',
    ],
    [
      'compares versions numerically, not as text',
      { capability: 'date_service' },
      [tool({ agentId: 'a', version: '1.10.0' }), tool({ agentId: 'b', version: '1.9.0' })],
      'a',
    ],
    [
      'ranks a valid version above an unparseable one',
      { capability: 'date_service' },
      [tool({ agentId: 'a', version: 'zzz' }), tool({ agentId: 'b', version: '0.0.1' })],
      'b',
    ],
    [
      'ranks a release above its pre-release',
      { capability: 'date_service' },
      [tool({ agentId: 'a', version: '2.0.0-rc.1' }), tool({ agentId: 'b', version: '2.0.0' })],
      'b',
    ],
    [
      'ranks two unparseable versions as strings',
      { capability: 'date_service' },
      [tool({ agentId: 'a', version: 'alpha' }), tool({ agentId: 'b', version: 'beta' })],
      'b',
    ],
    [
      'takes the smallest agent_id among equal score and version',
      { capability: 'date_service' },
      [tool({ agentId: 'zeta' }), tool({ agentId: 'alpha' }), tool({ agentId: 'mid' })],
      'alpha',
    ],
    [
      'treats versions equal up to build metadata as a tie',
      { capability: 'date_service' },
      [tool({ agentId: 'b', version: '1.0.0+x' }), tool({ agentId: 'a', version: '1.0.0+y' })],
      'a',
    ],
    [
      'adds scores of required and preferred tags before comparing',
      { capability: 'date_service', tags: ['system', '+time', '+eu'] },
      [
        tool({ agentId: 'a', tags: ['system', 'time'], version: '3.0.0' }),
        tool({ agentId: 'b', tags: ['system', 'time', 'eu'], version: '1.0.0' }),
      ],
      'b',
    ],
  ])('%s', (_name, dep, candidates, expected) => {
    expect(resolveId(dep, candidates)).toBe(expected);
    expect(resolveId(dep, [...candidates].reverse())).toBe(expected);
  });

  it('keeps the first of two functions of one agent that tie on every key', () => {
    const first = tool({ agentId: 'a', functionName: 'first' });
    const second = tool({ agentId: 'a', functionName: 'second' });
    expect(resolveDependency({ capability: 'date_service' }, [first, second], 'c')?.functionName).toBe(
      'first',
    );
  });

  it('accepts any iterable of candidates, read once', () => {
    function* generate(): Generator<ProviderTool> {
      yield tool({ agentId: 'b' });
      yield tool({ agentId: 'a' });
    }
    expect(resolveDependency({ capability: 'date_service' }, generate(), 'c')?.agentId).toBe('a');
  });
});

describe('resolveAlternatives', () => {
  const providers = [tool({ agentId: 'w', capability: 'weather' }), tool({ agentId: 'd' })];
  const lookup = (capability: string) => providers.filter((p) => p.capability === capability);

  it('takes the first alternative that resolves', () => {
    const result = resolveAlternatives([{ capability: 'missing' }, { capability: 'weather' }], lookup, 'c');
    expect(result.spec.capability).toBe('weather');
    expect(result.tool?.agentId).toBe('w');
  });

  it('reports the first alternative when none resolves', () => {
    const result = resolveAlternatives([{ capability: 'nope' }, { capability: 'none' }], lookup, 'c');
    expect(result).toEqual({ spec: { capability: 'nope' }, tool: undefined });
  });

  it('reports an empty capability for an empty list of alternatives', () => {
    expect(resolveAlternatives([], lookup, 'c')).toEqual({ spec: { capability: '' }, tool: undefined });
  });
});

describe('toResolution wire shape', () => {
  const provider = tool({
    agentId: 'date-provider-df9965b4',
    endpoint: 'http://127.0.0.1:18022',
    functionName: 'get_date',
    kwargs: { task: false, resume_cursor: false, function_name: 'get_date' },
  });

  it('writes an available entry byte for byte as the SDK 3.8.0 fixture shows', () => {
    expect(JSON.stringify(toResolution(provider, { capability: 'date_service', tags: ['system'] }))).toBe(
      '{"agent_id":"date-provider-df9965b4","capability":"date_service","endpoint":"http://127.0.0.1:18022",' +
        '"function_name":"get_date","kwargs":{"function_name":"get_date","resume_cursor":false,"task":false},' +
        '"status":"available"}',
    );
  });

  it('writes an unresolved entry byte for byte as the fixture shows, without kwargs', () => {
    expect(JSON.stringify(toResolution(undefined, { capability: 'date_service', tags: ['system'] }))).toBe(
      '{"agent_id":"","capability":"date_service","endpoint":"","function_name":"","status":"unresolved"}',
    );
  });

  it('leaves kwargs out when the provider has none', () => {
    expect(
      Object.keys(toResolution(tool({ agentId: 'a', kwargs: {} }), { capability: 'date_service' })),
    ).toEqual(['agent_id', 'capability', 'endpoint', 'function_name', 'status']);
  });

  it('sorts nested kwargs keys and keeps array order', () => {
    const nested = tool({
      agentId: 'a',
      kwargs: { timeout: 30, custom_headers: { 'X-B': '2', 'X-A': '1' }, list: [{ z: 1, a: 2 }, 'x'] },
    });
    const json = JSON.stringify(toResolution(nested, { capability: 'date_service' }));
    expect(json).toContain(
      '"kwargs":{"custom_headers":{"X-A":"1","X-B":"2"},"list":[{"a":2,"z":1},"x"],"timeout":30}',
    );
  });

  it('does not mutate the provider kwargs and keeps a __proto__ key as data', () => {
    const kwargs = JSON.parse('{"b":1,"__proto__":{"polluted":true},"a":2}') as Record<string, unknown>;
    const entry = toResolution(tool({ agentId: 'a', kwargs }), { capability: 'date_service' });
    expect(JSON.stringify(entry)).toContain('"kwargs":{"__proto__":{"polluted":true},"a":2,"b":1}');
    expect(Object.keys(kwargs)).toEqual(['b', '__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the capability of the dependency in the unresolved entry', () => {
    expect(toResolution(undefined, { capability: 'weather' })).toEqual({
      agent_id: '',
      capability: 'weather',
      endpoint: '',
      function_name: '',
      status: 'unresolved',
    });
  });
});
