import { describe, expect, it } from 'vitest';
import { childEnvironment, registryVariables } from '../../../src/cli/services/child-environment.js';

const registry = { url: 'http://localhost:8001', host: 'localhost', port: 8001, database_path: '/tmp/r.db' };
const configured = { url: 'http://localhost:8000', host: 'localhost', port: 8000 };
const agent = (base: Record<string, string | undefined>, tracked = true) =>
  childEnvironment(base, {
    kind: 'agent',
    registry: tracked ? registry : undefined,
    configured,
    debug: false,
    logLevel: 'INFO',
  });

describe('childEnvironment', () => {
  it('gives the registry the CLI environment with its database URL', () => {
    const base = { PATH: '/bin', MCP_MESH_DATABASE_URL: 'sqlite:///old.db' };
    expect(childEnvironment(base, { kind: 'registry', databaseUrl: 'sqlite:///tmp/new.db' })).toEqual({
      PATH: '/bin',
      MCP_MESH_DATABASE_URL: 'sqlite:///tmp/new.db',
    });
  });

  it('points an agent at the tracked registry, over what the environment says', () => {
    const env = agent({ MCP_MESH_REGISTRY_URL: 'http://elsewhere:1' });
    expect(env).toMatchObject({
      MCP_MESH_REGISTRY_URL: 'http://localhost:8001',
      MCP_MESH_REGISTRY_HOST: 'localhost',
      MCP_MESH_REGISTRY_PORT: '8001',
      MCP_MESH_DATABASE_URL: 'sqlite:////tmp/r.db',
      MCP_MESH_DEBUG: '0',
      MCP_MESH_LOG_LEVEL: 'INFO',
      PYTHONUNBUFFERED: '1',
    });
  });

  it('falls back to the configured registry only when the environment names none', () => {
    expect(agent({}, false)).toMatchObject({
      MCP_MESH_REGISTRY_URL: configured.url,
      MCP_MESH_REGISTRY_PORT: '8000',
    });
    const given = agent({ MCP_MESH_REGISTRY_URL: 'http://elsewhere:1' }, false);
    expect(given.MCP_MESH_REGISTRY_URL).toBe('http://elsewhere:1');
    expect(given.MCP_MESH_REGISTRY_PORT).toBeUndefined();
  });

  it('keeps a PYTHONUNBUFFERED the user set and never changes its input', () => {
    const base = { PYTHONUNBUFFERED: '0' };
    expect(agent(base).PYTHONUNBUFFERED).toBe('0');
    expect(base).toEqual({ PYTHONUNBUFFERED: '0' });
  });

  it('exports the same registry variables start puts in its own environment', () => {
    expect(registryVariables(registry)).toEqual({
      MCP_MESH_REGISTRY_URL: 'http://localhost:8001',
      MCP_MESH_REGISTRY_HOST: 'localhost',
      MCP_MESH_REGISTRY_PORT: '8001',
      MCP_MESH_DATABASE_URL: 'sqlite:////tmp/r.db',
    });
  });
});
