import { describe, expect, it } from 'vitest';
import { CapabilityIndex } from '../../../src/mesh/resolution/capability-index.js';
import {
  type DependencySpec,
  type ProviderTool,
  resolveDependency,
} from '../../../src/mesh/resolution/resolve-dependency.js';

function tool(agentId: string, capability: string, overrides: Partial<ProviderTool> = {}): ProviderTool {
  return {
    agentId,
    namespace: 'default',
    isHealthy: true,
    endpoint: `http://10.0.0.1:8080/${agentId}`,
    functionName: `fn_${capability}`,
    capability,
    version: '1.0.0',
    tags: [],
    kwargs: {},
    ...overrides,
  };
}

function ids(tools: Iterable<ProviderTool>): string[] {
  return [...tools].map((t) => `${t.agentId}:${t.functionName}`);
}

describe('CapabilityIndex', () => {
  it('lists the providers of a capability and nothing for an unknown one', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('a', [tool('a', 'date'), tool('a', 'weather')]);
    index.upsertAgent('b', [tool('b', 'date')]);
    expect(ids(index.candidates('date'))).toEqual(['a:fn_date', 'b:fn_date']);
    expect(ids(index.candidates('unknown'))).toEqual([]);
    expect(index.agentCount).toBe(2);
  });

  it('replaces an agent’s tools on upsert, dropping capabilities it no longer provides', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('a', [tool('a', 'date'), tool('a', 'weather')]);
    index.upsertAgent('a', [tool('a', 'weather', { version: '2.0.0' })]);
    expect(ids(index.candidates('date'))).toEqual([]);
    expect([...index.candidates('weather')].map((t) => t.version)).toEqual(['2.0.0']);
  });

  it('forgets an agent on removal', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('a', [tool('a', 'date')]);
    expect(index.removeAgent('a')).toBe(true);
    expect(index.removeAgent('a')).toBe(false);
    expect(index.hasAgent('a')).toBe(false);
    expect(ids(index.candidates('date'))).toEqual([]);
  });

  it('keeps an agent without tools known', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('quiet', []);
    expect(index.hasAgent('quiet')).toBe(true);
    expect(index.toolsOf('quiet')).toEqual([]);
  });

  it('updates health in place so resolution follows it', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('a', [tool('a', 'date', { version: '2.0.0' })]);
    index.upsertAgent('b', [tool('b', 'date')]);
    expect(index.resolve({ capability: 'date' }, 'c')?.agentId).toBe('a');
    expect(index.setHealthy('a', false)).toBe(true);
    expect(index.resolve({ capability: 'date' }, 'c')?.agentId).toBe('b');
    index.setHealthy('a', true);
    expect(index.resolve({ capability: 'date' }, 'c')?.agentId).toBe('a');
  });

  it('versions each capability: every change to its providers, and only those, moves it', () => {
    const index = new CapabilityIndex();
    const start = index.versionOf('date');
    index.upsertAgent('a', [tool('a', 'date')]);
    const added = index.versionOf('date');
    expect(added).not.toBe(start);
    const other = index.versionOf('time');
    index.upsertAgent('b', [tool('b', 'time')]);
    expect(index.versionOf('date')).toBe(added);
    expect(index.versionOf('time')).not.toBe(other);
    index.setHealthy('a', true);
    expect(index.versionOf('date')).toBe(added);
    index.setHealthy('a', false);
    const unhealthy = index.versionOf('date');
    expect(unhealthy).not.toBe(added);
    index.upsertAgent('a', [tool('a', 'time')]);
    const moved = index.versionOf('date');
    expect(moved).not.toBe(unhealthy);
    index.removeAgent('b');
    expect(index.versionOf('date')).toBe(moved);
  });

  it('keeps the versions when an upsert repeats what a resolution reads, and moves the agent last all the same', () => {
    const index = new CapabilityIndex();
    index.upsertAgent('a', [tool('a', 'date')]);
    index.upsertAgent('b', [tool('b', 'date')]);
    const before = index.versionOf('date');
    index.upsertAgent('a', [tool('a', 'date')], { sameForResolution: true });
    expect(index.versionOf('date')).toBe(before);
    expect(ids(index.candidates('date'))).toEqual(['b:fn_date', 'a:fn_date']);
    index.upsertAgent('a', [tool('a', 'date')]);
    expect(index.versionOf('date')).not.toBe(before);
  });

  it('reports false when setting the health of an unknown agent', () => {
    expect(new CapabilityIndex().setHealthy('ghost', true)).toBe(false);
  });

  it('stores copies, so the caller’s objects neither change nor leak in', () => {
    const index = new CapabilityIndex();
    const given = tool('someone-else', 'date');
    index.upsertAgent('a', [given]);
    given.version = '9.9.9';
    index.setHealthy('a', false);
    const [stored] = [...index.candidates('date')];
    expect(stored?.agentId).toBe('a');
    expect(stored?.version).toBe('1.0.0');
    expect(given.isHealthy).toBe(true);
  });

  it('resolves 3 dependencies among 10,000 agents with 1,000 providers of the capability', () => {
    const index = new CapabilityIndex();
    for (let i = 0; i < 1000; i++) {
      const id = `weather-${String(i).padStart(4, '0')}`;
      index.upsertAgent(id, [
        tool(id, 'weather', {
          version: `${(i % 3) + 1}.${i % 10}.0`,
          tags: i % 7 === 0 ? ['gpu', 'eu'] : ['eu'],
          isHealthy: i % 11 !== 0,
        }),
        tool(id, 'forecast'),
      ]);
    }
    for (let j = 0; j < 9000; j++) {
      const id = `agent-${j}`;
      const capability = j % 500 === 0 ? 'Weather' : j % 700 === 0 ? 'weather-report' : `cap-${j % 100}`;
      index.upsertAgent(id, [tool(id, capability, { version: '99.0.0', tags: ['gpu', 'eu'] })]);
    }
    expect(index.agentCount).toBe(10_000);
    expect([...index.candidates('weather')]).toHaveLength(1000);

    // i ≡ 1 (mod 3) for major 2, i ≡ 0 (mod 7) for gpu, i ≡ 9 (mod 10) for minor 9: first is 49.
    const gpuOnTwo: DependencySpec = { capability: 'weather', tags: ['+gpu'], version: '^2' };
    // Major 1 and minor 9: i ≡ 9 (mod 30), first is 9.
    const eastOnOne: DependencySpec = { capability: 'weather', tags: ['eu'], version: '<2' };
    // Major 3, minor 9, without gpu: i ≡ 29 (mod 30) and 29 is not a multiple of 7.
    const noGpuOnThree: DependencySpec = { capability: 'weather', tags: ['-gpu'], version: '>=3.5.0' };

    const resolved = [gpuOnTwo, eastOnOne, noGpuOnThree].map((dep) => index.resolve(dep, 'consumer-0001'));
    expect(resolved.map((t) => [t?.agentId, t?.version, t?.tags])).toEqual([
      ['weather-0049', '2.9.0', ['gpu', 'eu']],
      ['weather-0009', '1.9.0', ['eu']],
      ['weather-0029', '3.9.0', ['eu']],
    ]);

    // Same answers as a full scan over every indexed tool.
    const everything = [
      ...index.candidates('weather'),
      ...index.candidates('cap-7'),
      ...index.candidates('Weather'),
    ];
    for (const [k, dep] of [gpuOnTwo, eastOnOne, noGpuOnThree].entries()) {
      expect(resolveDependency(dep, everything, 'consumer-0001')).toBe(resolved[k]);
    }

    // The next multiple of 21 plus 7 with minor 9 is 259 (healthy: 259 = 11 · 23 + 6).
    index.setHealthy('weather-0049', false);
    expect(index.resolve(gpuOnTwo, 'consumer-0001')?.agentId).toBe('weather-0259');
    index.removeAgent('weather-0259');
    expect(index.resolve(gpuOnTwo, 'consumer-0001')?.agentId).toBe('weather-0469');
  });
});

describe('CapabilityIndex.candidatesFor', () => {
  const index = new CapabilityIndex();
  for (let i = 0; i < 200; i += 1) {
    index.upsertAgent(`p${String(i).padStart(3, '0')}`, [
      tool(`p${String(i).padStart(3, '0')}`, 'svc', {
        tags: ['all', `t${i % 20}`, `u${i % 2}`],
        version: `1.${i}.0`,
      }),
    ]);
  }

  it('narrows to the providers with the rarest required tag, in index order', () => {
    const narrowed = [...index.candidatesFor({ capability: 'svc', tags: ['all', 'u1', 't3'] })];
    expect(narrowed).toHaveLength(10);
    expect(ids(narrowed)).toEqual(
      ids(index.candidates('svc')).filter((id) => Number(id.slice(1, 4)) % 20 === 3),
    );
  });

  it('does not narrow on preferred, excluded or grouped tags, and gives nothing for an unknown required tag', () => {
    for (const tags of [['+t3'], ['-t3'], [['t3', 't4']], [], ['']]) {
      expect([...index.candidatesFor({ capability: 'svc', tags })], JSON.stringify(tags)).toHaveLength(200);
    }
    expect([...index.candidatesFor({ capability: 'svc', tags: ['nobody'] })]).toEqual([]);
    expect([...index.candidatesFor({ capability: 'other' })]).toEqual([]);
  });

  it('resolves as resolving among every provider does, and forgets removed providers', () => {
    const specs: DependencySpec[] = [
      { capability: 'svc', tags: ['t7', '+u0'] },
      { capability: 'svc', tags: ['u1', '-t1'], version: '<1.50.0' },
      { capability: 'svc', tags: ['t5', 'u0'] },
      { capability: 'svc', tags: [['t5', 't6'], 'all'] },
    ];
    for (const spec of specs) {
      const all = resolveDependency(spec, index.candidates('svc'), 'c');
      expect(index.resolve(spec, 'c')?.agentId, JSON.stringify(spec)).toBe(all?.agentId);
    }
    index.removeAgent('p187');
    expect(ids(index.candidatesFor({ capability: 'svc', tags: ['t7'] }))).not.toContain('p187:fn_svc');
    expect([...index.candidatesFor({ capability: 'svc', tags: ['t7'] })]).toHaveLength(9);
  });
});
