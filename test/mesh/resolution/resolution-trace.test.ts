import { describe, expect, it } from 'vitest';
import { sortedData } from '../../../src/mesh/events.js';
import {
  type AuditTrace,
  auditEventFor,
  auditEventText,
  traceFingerprint,
  traceResolution,
} from '../../../src/mesh/resolution/resolution-trace.js';
import {
  type DependencySpec,
  type ProviderTool,
  resolveDependency,
} from '../../../src/mesh/resolution/resolve-dependency.js';

function tool(overrides: Partial<ProviderTool> & { agentId: string }): ProviderTool {
  return {
    namespace: 'default',
    isHealthy: true,
    endpoint: `http://127.0.0.1:9000/${overrides.agentId}`,
    functionName: 'get_date',
    capability: 'date_service',
    version: '1.0.0',
    tags: ['system'],
    kwargs: {},
    ...overrides,
  };
}

describe('the resolution trace', () => {
  it('records every stage with what it kept and evicted, and why', () => {
    const candidates = [
      tool({ agentId: 'down', isHealthy: false }),
      tool({ agentId: 'stuck' }),
      tool({ agentId: 'untagged', tags: [] }),
      tool({ agentId: 'banned', tags: ['system', 'beta'] }),
      tool({ agentId: 'old', version: '0.9.0' }),
      tool({ agentId: 'b-new', version: '2.0.0' }),
      tool({ agentId: 'a-new', version: '2.0.0' }),
    ];
    const dep: DependencySpec = { capability: 'date_service', tags: ['system', '-beta'], version: '>=1.0.0' };
    const { trace, chosen } = traceResolution('consumer-1', 0, dep, candidates, {
      unavailableReason: (t) => (t.agentId === 'stuck' ? "required dep 'db' unresolved" : undefined),
      statusOf: () => 'unhealthy',
    });
    expect(chosen?.agentId).toBe('a-new');
    expect(trace).toEqual({
      consumer: 'consumer-1',
      dep_index: 0,
      spec: {
        capability: 'date_service',
        tags: ['system', '-beta'],
        version_constraint: '>=1.0.0',
        schema_mode: 'none',
      },
      stages: [
        {
          stage: 'health',
          kept: ['untagged:get_date', 'banned:get_date', 'old:get_date', 'b-new:get_date', 'a-new:get_date'],
          evicted: [
            { id: 'down:get_date', reason: 'Unhealthy', details: { status: 'unhealthy' } },
            {
              id: 'stuck:get_date',
              reason: 'Unavailable',
              details: { reason: "required dep 'db' unresolved" },
            },
          ],
        },
        {
          stage: 'capability_match',
          kept: ['untagged:get_date', 'banned:get_date', 'old:get_date', 'b-new:get_date', 'a-new:get_date'],
        },
        {
          stage: 'tags',
          kept: ['old:get_date', 'b-new:get_date', 'a-new:get_date'],
          evicted: [
            { id: 'untagged:get_date', reason: 'MissingTag', details: { missing: ['system'] } },
            { id: 'banned:get_date', reason: 'ExtraTagDisallowed', details: { disallowed: ['beta'] } },
          ],
        },
        {
          stage: 'version',
          kept: ['b-new:get_date', 'a-new:get_date'],
          evicted: [
            {
              id: 'old:get_date',
              reason: 'VersionConstraintFailed',
              details: { version: '0.9.0', constraint: '>=1.0.0' },
            },
          ],
        },
        { stage: 'schema', kept: ['b-new:get_date', 'a-new:get_date'] },
        {
          stage: 'tiebreaker',
          kept: ['a-new:get_date', 'b-new:get_date'],
          chosen: 'a-new:get_date',
          reason: 'HighestScoreThenVersion',
        },
      ],
      chosen: { agent_id: 'a-new', endpoint: 'http://127.0.0.1:9000/a-new', function_name: 'get_date' },
    });
  });

  it('stops at the first stage that keeps nobody, and names an unmatched OR group', () => {
    const { trace, chosen } = traceResolution('c', 2, { capability: 'date_service', tags: [['eu', 'us']] }, [
      tool({ agentId: 'p' }),
    ]);
    expect(chosen).toBeUndefined();
    expect(trace.stages.map((s) => s.stage)).toEqual(['health', 'capability_match', 'tags']);
    expect(trace.stages[2]?.evicted).toEqual([
      { id: 'p:get_date', reason: 'MissingTag', details: { missing_one_of: ['eu', 'us'] } },
    ]);
    expect(trace.chosen).toBeUndefined();
  });

  it('chooses what resolveDependency chooses, on many generated cases', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 500; round++) {
      const candidates = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
        tool({
          agentId: pick(['a', 'b', 'c', 'd']) + i,
          isHealthy: random() > 0.2,
          version: pick(['1.0.0', '1.2.0', '2.0.0', 'dev', '']),
          tags: [pick(['x', 'y']), pick(['z', 'w', 'x'])],
          functionName: pick(['f', 'g']),
        }),
      );
      const dep: DependencySpec = {
        capability: 'date_service',
        tags: pick([[], ['x'], ['+y'], ['-z'], [['y', 'w']], ['x', '+w']]),
        version: pick(['', '>=1.1.0', '^1.0.0', '2.0.0']),
      };
      expect(traceResolution('c', 0, dep, candidates).chosen).toBe(resolveDependency(dep, candidates, 'c'));
    }
  });
});

describe('whether a trace is logged', () => {
  const single = traceResolution('c', 0, { capability: 'date_service' }, [tool({ agentId: 'p' })]).trace;
  const choice = traceResolution('c', 0, { capability: 'date_service' }, [
    tool({ agentId: 'p' }),
    tool({ agentId: 'q', version: '2.0.0' }),
  ]).trace;
  const none = traceResolution('c', 0, { capability: 'date_service' }, []).trace;

  it('logs a choice, a flip and a recovery, but not a plain single provider', () => {
    expect(auditEventFor(single, { priorChosen: '' })).toBeUndefined();
    expect(auditEventFor(choice, { priorChosen: '' })?.type).toBe('dependency_resolved');
    expect(auditEventFor(single, { priorChosen: 'q' })?.data.prior_chosen).toBe('q');
    expect(
      auditEventFor(single, { priorChosen: '', last: { type: 'dependency_unresolved', fingerprint: 'x' } })
        ?.type,
    ).toBe('dependency_resolved');
  });

  it('logs a loss only when there was a provider before, and never the same trace twice in a row', () => {
    expect(auditEventFor(none, { priorChosen: '' })).toBeUndefined();
    expect(auditEventFor(none, { priorChosen: 'p' })?.type).toBe('dependency_unresolved');
    const last = { type: 'dependency_resolved' as const, fingerprint: traceFingerprint(choice) };
    expect(auditEventFor(choice, { priorChosen: 'q', last })).toBeUndefined();
  });

  it('writes an event’s trace as sorting its data would, the shared stages once', () => {
    const many = traceResolution(
      'c',
      3,
      { capability: 'date_service', tags: ['system', '+fast'], version: '>=1.0.0' },
      [
        tool({ agentId: 'p', tags: ['system', 'fast'] }),
        tool({ agentId: 'q', version: '0.1.0' }),
        tool({ agentId: 'r', tags: [] }),
        tool({ agentId: '__proto__', isHealthy: false }),
      ],
    ).trace;
    const data: AuditTrace = { ...many, prior_chosen: 'q' };
    const stored = JSON.stringify(sortedData(data as unknown as Record<string, unknown>));
    expect(auditEventText(data)).toBe(stored);
    // Another position with the same trace: its own consumer and index, the same stages text.
    const other: AuditTrace = { ...many, consumer: 'd', dep_index: 0 };
    expect(auditEventText(other)).toBe(
      JSON.stringify(sortedData(other as unknown as Record<string, unknown>)),
    );
  });

  it('fingerprints ignore the order of kept candidates and the prior choice', () => {
    const reordered = {
      ...choice,
      prior_chosen: 'zz',
      stages: choice.stages.map((s) => ({ ...s, kept: [...s.kept].reverse() })),
    };
    expect(traceFingerprint(reordered)).toBe(traceFingerprint(choice));
  });
});
