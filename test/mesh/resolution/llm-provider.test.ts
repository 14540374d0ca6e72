import { describe, expect, it } from 'vitest';
import {
  type LlmProviderSpec,
  selectLlmProvider,
  toLlmProviderEntry,
} from '../../../src/mesh/resolution/llm-provider.js';
import type { LlmToolCandidate } from '../../../src/mesh/resolution/llm-tool-filter.js';

function tool(overrides: Partial<LlmToolCandidate> & { agentId: string }): LlmToolCandidate {
  return {
    namespace: 'default',
    isHealthy: true,
    endpoint: 'unused',
    functionName: 'chat',
    capability: 'llm',
    version: '1.0.0',
    tags: ['llm'],
    kwargs: {},
    description: '',
    inputSchema: { type: 'object' },
    httpHost: '',
    httpPort: 0,
    ...overrides,
  };
}

const choose = (spec: LlmProviderSpec, tools: LlmToolCandidate[]) => selectLlmProvider(spec, tools)?.agentId;

describe('selectLlmProvider', () => {
  const claude = tool({ agentId: 'claude', tags: ['llm', 'claude'], version: '1.0.0' });
  const gpt = tool({ agentId: 'openai', tags: ['llm', 'openai'], version: '2.0.0' });
  const local = tool({ agentId: 'local', tags: ['llm'], version: '2.0.0' });
  const all = [claude, gpt, local];

  it('needs a non-empty capability', () => {
    expect(choose({}, all)).toBeUndefined();
    expect(choose({ capability: '' }, all)).toBeUndefined();
    expect(choose({ capability: null }, all)).toBeUndefined();
    expect(choose({ capability: 'other' }, all)).toBeUndefined();
  });

  it('without tags, takes the first candidate in write order (namespace ignored)', () => {
    expect(choose({ capability: 'llm' }, all)).toBe('claude');
    expect(choose({ capability: 'llm', namespace: 'elsewhere', tags: [] }, all)).toBe('claude');
  });

  it('orders by tag score, then higher version, then agent id', () => {
    expect(choose({ capability: 'llm', tags: ['+claude'] }, all)).toBe('claude');
    // All score 5: the 2.0.0 ones tie, and "local" < "openai".
    expect(choose({ capability: 'llm', tags: ['llm'] }, all)).toBe('local');
    expect(choose({ capability: 'llm', tags: ['llm'] }, [gpt, claude])).toBe('openai');
    expect(choose({ capability: 'llm', tags: ['-openai', '-local'] }, [gpt, claude])).toBe('claude');
    const invalid = tool({ agentId: 'a-invalid', version: 'latest' });
    expect(choose({ capability: 'llm', tags: ['llm'] }, [invalid, claude])).toBe('claude');
  });

  it('filters by version first', () => {
    expect(choose({ capability: 'llm', version: '^1.0.0' }, all)).toBe('claude');
    expect(choose({ capability: 'llm', version: '>=2.0.0' }, all)).toBe('openai');
    expect(choose({ capability: 'llm', version: '>=3.0.0' }, all)).toBeUndefined();
  });

  it('never chooses an unhealthy agent or a tool without an input schema', () => {
    const sick = tool({ agentId: 'a-sick', isHealthy: false, version: '9.0.0' });
    const bare = tool({ agentId: 'a-bare', inputSchema: undefined, version: '9.0.0' });
    expect(choose({ capability: 'llm' }, [sick, bare, local])).toBe('local');
    expect(choose({ capability: 'llm', tags: ['llm'] }, [sick, bare, local])).toBe('local');
    expect(choose({ capability: 'llm' }, [sick, bare])).toBeUndefined();
  });
});

describe('toLlmProviderEntry', () => {
  it("writes Go's keys in Go's order: kwargs sorted, vendor from kwargs", () => {
    const entry = toLlmProviderEntry(
      tool({
        agentId: 'claude',
        httpHost: 'llm.example',
        httpPort: 9102,
        kwargs: { vendor: 'anthropic', max_tokens: 10, options: { z: 1, a: 2 } },
      }),
    );
    expect(JSON.stringify(entry)).toBe(
      '{"agent_id":"claude","capability":"llm","endpoint":"http://llm.example:9102",' +
        '"kwargs":{"max_tokens":10,"options":{"a":2,"z":1},"vendor":"anthropic"},"name":"chat",' +
        '"status":"available","tags":["llm"],"vendor":"anthropic","version":"1.0.0"}',
    );
  });

  it('leaves out empty kwargs, tags and version; a vendor that is not a string is unknown', () => {
    expect(JSON.stringify(toLlmProviderEntry(tool({ agentId: 'x', tags: [], version: '' })))).toBe(
      '{"agent_id":"x","capability":"llm","endpoint":"stdio://x","name":"chat","status":"available","vendor":"unknown"}',
    );
    expect(toLlmProviderEntry(tool({ agentId: 'x', kwargs: { vendor: 7 } })).vendor).toBe('unknown');
  });
});
