import { describe, expect, it } from 'vitest';
import { llmProviderResolutions, llmToolResolutions } from '../../../src/mesh/resolution/llm-resolutions.js';
import type { LlmToolCandidate } from '../../../src/mesh/resolution/llm-tool-filter.js';

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

const WEATHER = tool({ agentId: 'a', functionName: 'get_weather', httpHost: '0.0.0.0', httpPort: 9101 });
const UNITS = tool({ agentId: 'b', functionName: 'convert', capability: 'units' });

/** `function:filter_capability:mcp_tool|-:status` of each tool entry, in order. */
function toolRows(llmFilter: unknown, selected: LlmToolCandidate[] | undefined) {
  return llmToolResolutions([{ functionName: 'ask', llmFilter, selected }]).map(
    (r) => `${r.filter_capability}:${r.mcp_tool ?? '-'}:${r.status}`,
  );
}

describe('llmToolResolutions', () => {
  it('gives each filter element the selected tools of its capability, or one unresolved entry', () => {
    expect(toolRows({ filter: ['units', 'weather', 'nobody'] }, [WEATHER, UNITS])).toEqual([
      'units:convert:available',
      'weather:get_weather:available',
      'nobody:-:unresolved',
    ]);
  });

  it('gives an element with tags only every selected tool', () => {
    expect(toolRows({ filter: [{ tags: ['x'] }] }, [WEATHER, UNITS])).toEqual([
      ':get_weather:available',
      ':convert:available',
    ]);
  });

  it('matches "*" as a capability name, and everything unresolved when the function has no tools entry', () => {
    expect(toolRows({ filter: ['*'] }, [WEATHER, UNITS])).toEqual(['*:-:unresolved']);
    expect(toolRows({ filter: ['weather', 5] }, undefined)).toEqual(['weather:-:unresolved']);
  });

  it('skips elements that ask for nothing, and filters that are not arrays', () => {
    expect(toolRows({ filter: [{}, { version: '1' }, { tags: [3] }, null, 5, ''] }, [WEATHER])).toEqual([]);
    expect(toolRows({ filter: 'weather' }, [WEATHER])).toEqual([]);
    expect(toolRows('weather', [WEATHER])).toEqual([]);
  });

  it('lists available entries first, each group in order, with Go keys and endpoints', () => {
    const rows = llmToolResolutions([
      { functionName: 'first', llmFilter: { filter: ['nobody'] }, selected: [] },
      {
        functionName: 'second',
        llmFilter: { filter: [{ capability: 'weather', tags: ['+fast', 2] }], filter_mode: 7 },
        selected: [WEATHER],
      },
    ]);
    expect(rows).toEqual([
      {
        endpoint: 'http://localhost:9101',
        filter_capability: 'weather',
        filter_mode: 'all',
        filter_tags: ['+fast'],
        function_name: 'second',
        mcp_tool: 'get_weather',
        provider_agent_id: 'a',
        provider_capability: 'weather',
        status: 'available',
      },
      { filter_capability: 'nobody', filter_mode: 'all', function_name: 'first', status: 'unresolved' },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual([...Object.keys(rows[0] ?? {})].sort());
  });
});

describe('llmProviderResolutions', () => {
  it('gives one entry per spec with a capability: the chosen provider, else unresolved, available first', () => {
    const rows = llmProviderResolutions([
      {
        functionName: 'none',
        spec: { capability: 'nobody', tags: ['x', 1 as unknown as string] },
        chosen: undefined,
      },
      { functionName: 'empty', spec: { capability: '' }, chosen: WEATHER },
      { functionName: 'null', spec: { capability: null }, chosen: undefined },
      { functionName: 'chat', spec: { capability: 'weather', tags: [] }, chosen: WEATHER },
    ]);
    expect(rows).toEqual([
      {
        endpoint: 'http://localhost:9101',
        function_name: 'chat',
        mcp_tool: 'get_weather',
        provider_agent_id: 'a',
        required_capability: 'weather',
        status: 'available',
      },
      { function_name: 'none', required_capability: 'nobody', required_tags: ['x'], status: 'unresolved' },
    ]);
  });
});
