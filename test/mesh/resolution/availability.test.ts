import { describe, expect, it } from 'vitest';
import {
  type AvailabilityTool,
  brokenRequirementReason,
  ProviderAvailability,
  requiredDependenciesOf,
} from '../../../src/mesh/resolution/availability.js';
import { CapabilityIndex } from '../../../src/mesh/resolution/capability-index.js';
import type { DependencySpec } from '../../../src/mesh/resolution/resolve-dependency.js';

function tool(
  agentId: string,
  capability: string,
  overrides: Partial<AvailabilityTool> = {},
): AvailabilityTool {
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
    requiredDependencies: [],
    ...overrides,
  };
}

const requires = (...deps: DependencySpec[]) => ({ requiredDependencies: deps });

/** An index and the availability over it, as the topology wires them. */
function mesh(...tools: AvailabilityTool[]) {
  const index = new CapabilityIndex<AvailabilityTool>();
  const byAgent = new Map<string, AvailabilityTool[]>();
  for (const t of tools) byAgent.set(t.agentId, [...(byAgent.get(t.agentId) ?? []), t]);
  for (const [agentId, own] of byAgent) index.upsertAgent(agentId, own);
  const availability = new ProviderAvailability<AvailabilityTool>((capability) =>
    index.candidates(capability),
  );
  const get = (agentId: string, capability: string) =>
    index.toolsOf(agentId).find((t) => t.capability === capability) as AvailabilityTool;
  const reason = (agentId: string, capability: string) =>
    availability.unavailableReason(get(agentId, capability));
  return { index, availability, get, reason };
}

describe('requiredDependenciesOf', () => {
  it('keeps only the dependencies marked required: true, in order', () => {
    const deps = [
      { capability: 'a', required: true },
      { capability: 'b' },
      { capability: 'c', required: false },
      { capability: 'd', required: true },
    ];
    expect(requiredDependenciesOf(deps).map((d) => d.capability)).toEqual(['a', 'd']);
    expect(requiredDependenciesOf(undefined)).toEqual([]);
  });
});

describe('ProviderAvailability', () => {
  it('finds a tool without required dependencies available exactly when its agent is healthy', () => {
    const { availability, get } = mesh(tool('up', 'date'), tool('down', 'date', { isHealthy: false }));
    expect(availability.isAvailable(get('up', 'date'))).toBe(true);
    expect(availability.isAvailable(get('down', 'date'))).toBe(false);
  });

  it('finds a provider unavailable when a required dependency has no provider, and says which', () => {
    const { availability, get, reason } = mesh(tool('b', 'weather', requires({ capability: 'geo' })));
    expect(availability.isAvailable(get('b', 'weather'))).toBe(false);
    expect(reason('b', 'weather')).toBe("required dep 'geo' unresolved");
  });

  it('ignores optional dependencies: only required ones are in requiredDependencies', () => {
    const { availability, get } = mesh(tool('b', 'weather'));
    expect(availability.isAvailable(get('b', 'weather'))).toBe(true);
  });

  it('propagates along a required chain: a breaks because b breaks because c is missing', () => {
    const { availability, get, reason, index } = mesh(
      tool('A', 'a', requires({ capability: 'b' })),
      tool('B', 'b', requires({ capability: 'c' })),
    );
    expect(reason('B', 'b')).toBe("required dep 'c' unresolved");
    expect(reason('A', 'a')).toBe("required dep 'b' unavailable (provider B unavailable)");
    index.upsertAgent('C', [tool('C', 'c')]);
    availability.clear();
    expect(availability.isAvailable(get('A', 'a'))).toBe(true);
    expect(reason('A', 'a')).toBe('');
  });

  it('names an unhealthy provider that matches the required dependency', () => {
    const { reason } = mesh(
      tool('A', 'a', requires({ capability: 'b', version: '>=1.0' })),
      tool('B', 'b', { isHealthy: false }),
    );
    expect(reason('A', 'a')).toBe("required dep 'b' unavailable (provider B unhealthy)");
  });

  it('does not blame an unhealthy provider that would not match anyway: the constraints are the cause', () => {
    const { reason } = mesh(
      tool('A', 'a', requires({ capability: 'b', tags: ['eu', '+fast', ['x', 'y']], version: '>=2.0' })),
      tool('B', 'b', { isHealthy: false, tags: ['us'] }),
      tool('B2', 'b', { tags: ['eu', 'x'], version: '1.5.0' }),
    );
    expect(reason('A', 'a')).toBe(
      "required dep 'b' unresolved (no provider matches tags=[eu +fast], version >=2.0)",
    );
  });

  it('names the first matching provider when all matching ones are healthy but unavailable themselves', () => {
    const { reason } = mesh(
      tool('A', 'a', requires({ capability: 'b' })),
      tool('B1', 'b', requires({ capability: 'gone' })),
      tool('B2', 'b', requires({ capability: 'gone' })),
    );
    expect(reason('A', 'a')).toBe("required dep 'b' unavailable (provider B1 unavailable)");
  });

  it('resolves to an available provider over a better-scored unavailable one', () => {
    const { availability } = mesh(
      tool('best', 'b', { version: '3.0.0', tags: ['fast'], ...requires({ capability: 'gone' }) }),
      tool('plain', 'b', { version: '1.0.0' }),
    );
    expect(availability.resolve({ capability: 'b', tags: ['+fast'] }, 'consumer')?.agentId).toBe('plain');
  });

  it('treats an unhealthy agent as unavailable even when its chain resolves', () => {
    const { availability, get } = mesh(
      tool('A', 'a', { isHealthy: false, ...requires({ capability: 'b' }) }),
      tool('B', 'b'),
    );
    expect(availability.unavailableReason(get('A', 'a'))).toBe('');
    expect(availability.isAvailable(get('A', 'a'))).toBe(false);
  });

  it('matches the required dependency with tags and version, as any resolution', () => {
    const { reason } = mesh(
      tool('A', 'a', requires({ capability: 'b', tags: ['eu'] })),
      tool('B', 'b', { tags: ['us'] }),
    );
    expect(reason('A', 'a')).toBe("required dep 'b' unresolved (no provider matches tags=[eu])");
  });

  it('fails closed on a required cycle in the data: both ends are unavailable', () => {
    const { availability, get } = mesh(
      tool('A', 'a', requires({ capability: 'b' })),
      tool('B', 'b', requires({ capability: 'a' })),
    );
    expect(availability.isAvailable(get('A', 'a'))).toBe(false);
    expect(availability.isAvailable(get('B', 'b'))).toBe(false);
  });

  it('remembers a verdict until cleared', () => {
    const { availability, get, index } = mesh(tool('A', 'a', requires({ capability: 'b' })));
    expect(availability.isAvailable(get('A', 'a'))).toBe(false);
    index.upsertAgent('B', [tool('B', 'b')]);
    expect(availability.isAvailable(get('A', 'a'))).toBe(false);
    availability.clear();
    expect(availability.isAvailable(get('A', 'a'))).toBe(true);
  });

  it('skips a required dependency without a capability', () => {
    const { reason } = mesh(tool('A', 'a', requires({ capability: '' })));
    expect(reason('A', 'a')).toBe('');
  });
});

describe('brokenRequirementReason', () => {
  it('says unresolved when nobody provides the capability', () => {
    expect(brokenRequirementReason({ capability: 'x', version: '^1' }, [])).toBe(
      "required dep 'x' unresolved (no provider matches version ^1)",
    );
  });

  it('prefers naming an unhealthy matching provider over an unavailable one listed before it', () => {
    const providers = [tool('first', 'x'), tool('sick', 'x', { isHealthy: false })];
    expect(brokenRequirementReason({ capability: 'x' }, providers)).toBe(
      "required dep 'x' unavailable (provider sick unhealthy)",
    );
  });
});
