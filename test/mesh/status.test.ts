import { describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../src/mesh/agent.js';
import { nextStatus, topologyAtAfterHeartbeat, topologyAtOfRegistration } from '../../src/mesh/status.js';

const S = 1_000_000;
const base = { lastHeartbeat: 0, timeoutThreshold: 60, evictionThreshold: 120, protocol: 'legacy' } as const;
const at = (agent: Partial<AgentRecord>, ageSeconds: number) =>
  nextStatus({ ...base, ...agent } as AgentRecord, (agent.lastHeartbeat ?? 0) + ageSeconds * S, 20);

describe('the sweep rules of spec §6.3', () => {
  it.each([
    ['healthy', 60, undefined],
    ['healthy', 60.001, 'degraded'],
    ['healthy', 120.5, 'expired'],
    ['degraded', 100, undefined],
    ['degraded', 121, 'expired'],
    ['pending', 121, 'expired'],
    ['expired', 500, undefined],
  ] as const)('moves a %s legacy agent %s s after its heartbeat to %s', (status, age, expected) => {
    expect(at({ status }, age)).toBe(expected);
  });

  it('never touches an agent that has not heartbeat yet', () => {
    expect(
      nextStatus({ ...base, status: 'pending', lastHeartbeat: null } as AgentRecord, 10_000 * S, 20),
    ).toBeUndefined();
  });

  it('marks a current-protocol agent unhealthy after the timeout only', () => {
    expect(at({ status: 'healthy', protocol: 'current' }, 20)).toBeUndefined();
    expect(at({ status: 'healthy', protocol: 'current' }, 20.5)).toBe('unhealthy');
  });
});

describe('the topology time', () => {
  const tool = {
    name: 'c',
    description: '',
    version: '1.0.0',
    tags: ['a'],
    category: null,
    stability: 'stable',
  };
  const agent = (overrides: Partial<AgentRecord>) =>
    ({
      status: 'healthy',
      endpoint: 'http://h:1',
      namespace: 'default',
      capabilities: [{ ...tool, functionName: 'f', kwargs: {} }],
      topologyAt: 9 * S,
      ...overrides,
    }) as AgentRecord;

  it('stays while a heartbeat keeps the status, and moves to the heartbeat when the status changes', () => {
    expect(topologyAtAfterHeartbeat({ status: 'healthy', topologyAt: S }, 'healthy', 5 * S)).toBe(S);
    expect(topologyAtAfterHeartbeat({ status: 'degraded', topologyAt: S }, 'healthy', 5 * S)).toBe(5 * S);
  });

  it('stays on a re-registration of a healthy agent that consumers would resolve the same way', () => {
    const previous = agent({ topologyAt: 2 * S });
    expect(topologyAtOfRegistration(agent({}), previous)).toBe(2 * S);
    expect(topologyAtOfRegistration(agent({}), undefined)).toBe(9 * S);
    expect(topologyAtOfRegistration(agent({}), { ...previous, status: 'unhealthy' })).toBe(9 * S);
    expect(topologyAtOfRegistration(agent({ endpoint: 'http://h:2' }), previous)).toBe(9 * S);
    const retagged = agent({ capabilities: [{ ...tool, tags: ['b'], functionName: 'f', kwargs: {} }] });
    expect(topologyAtOfRegistration(retagged, previous)).toBe(9 * S);
  });
});
