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

  it('caps MCP_MESH_PROXY_TIMEOUT at 600 s as upstream does, and refuses one that is not a positive integer', () => {
    expect(loadRegistryConfig({}, {}).proxyTimeoutSeconds).toBe(60);
    expect(loadRegistryConfig({}, { MCP_MESH_PROXY_TIMEOUT: '5' }).proxyTimeoutSeconds).toBe(5);
    expect(loadRegistryConfig({}, { MCP_MESH_PROXY_TIMEOUT: '3600' }).proxyTimeoutSeconds).toBe(600);
    expect(() => loadRegistryConfig({}, { MCP_MESH_PROXY_TIMEOUT: '1.5' })).toThrow(
      'MCP_MESH_PROXY_TIMEOUT must be a positive integer, got "1.5"',
    );
  });

  it('reads MCP_MESH_PROPAGATE_HEADERS as upstream does: trimmed, lower-case, a bare * dropped', () => {
    expect(
      loadRegistryConfig({}, { MCP_MESH_PROPAGATE_HEADERS: ' Authorization , X-Tenant-*,*,, ' })
        .propagateHeaders,
    ).toEqual(['authorization', 'x-tenant-*']);
  });
});
