import type { AgentRecord } from '../../src/mesh/agent.js';

/** A legacy agent with one capability, as the store tests write it; `overrides` replace fields. */
export function agent(id: string, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id,
    name: id,
    namespace: 'default',
    labels: {},
    annotations: {},
    createdAt: 1_000_000,
    updatedAt: 1_000_000,
    resourceVersion: '1000',
    endpoint: `http://localhost:0/${id}`,
    capabilities: [
      { name: 'cap', description: '', version: '1.0.0', tags: ['a'], category: null, stability: 'stable' },
    ],
    dependencies: [],
    status: 'pending',
    lastHeartbeat: null,
    healthInterval: 30,
    timeoutThreshold: 60,
    evictionThreshold: 120,
    agentType: 'mesh-agent',
    config: {},
    securityContext: null,
    protocol: 'legacy',
    topologyAt: 1_000_000,
    ...overrides,
  };
}
