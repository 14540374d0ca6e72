import { describe, expect, it } from 'vitest';
import { loadRegistryConfig } from '../../src/shared/config.js';

describe('registry settings from the environment', () => {
  it.each([
    ['DEBUG', 'debug'],
    ['WARNING', 'warn'],
    ['CRITICAL', 'fatal'],
    ['error', 'error'],
  ])(
    'accepts the log level %s, also in Python spelling (shared with agents and mcp_mesh_dev)',
    (value, level) => {
      expect(loadRegistryConfig({}, { MCP_MESH_LOG_LEVEL: value }).logLevel).toBe(level);
    },
  );

  it('refuses an unknown log level with the accepted names', () => {
    expect(() => loadRegistryConfig({}, { MCP_MESH_LOG_LEVEL: 'loud' })).toThrow(
      'MCP_MESH_LOG_LEVEL must be one of critical, error, warn(ing), info, debug, trace; got "loud"',
    );
  });
});
