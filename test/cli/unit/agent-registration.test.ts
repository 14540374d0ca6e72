import { describe, expect, it } from 'vitest';
import {
  findRegistration,
  healthOf,
  identityOf,
  isRegisteredHealthy,
} from '../../../src/cli/registry/agent-registration.js';

describe('which registry entry is a tracked agent (cli.md §6.5, §14)', () => {
  it('keeps the original rule: exact name with health_status healthy', () => {
    expect(
      isRegisteredHealthy([{ name: 'good_agent', health_status: 'healthy' }], { name: 'good_agent' }),
    ).toBe(true);
    expect(
      isRegisteredHealthy([{ name: 'good_agent', health_status: 'degraded' }], { name: 'good_agent' }),
    ).toBe(false);
  });

  it('reads status when there is no health_status, and normalised names and SDK ids', () => {
    expect(isRegisteredHealthy([{ name: 'hello-world', status: 'healthy' }], { name: 'hello_world' })).toBe(
      true,
    );
    expect(
      isRegisteredHealthy([{ id: 'weather-1a2b3c4d', name: 'x', status: 'healthy' }], { name: 'weather' }),
    ).toBe(true);
    expect(
      isRegisteredHealthy([{ id: 'weather-station', name: 'x', status: 'healthy' }], { name: 'weather' }),
    ).toBe(false);
  });

  it('recognises an SDK agent by the endpoint port its process listens on', () => {
    const entries = [
      {
        id: 'date-provider-00aa11bb',
        name: 'date-provider',
        status: 'healthy',
        endpoint: 'http://127.0.0.1:18022',
      },
      { id: 'other-00aa11bb', name: 'other', status: 'healthy', endpoint: 'http://127.0.0.1:18023' },
    ];
    expect(findRegistration(entries, { name: 'provider', listeningPorts: [18022] })?.id).toBe(
      'date-provider-00aa11bb',
    );
    expect(findRegistration(entries, { name: 'provider', listeningPorts: [9999] })).toBeUndefined();
  });

  it('prefers the healthy entry when a restart left an old one behind', () => {
    const entries = [
      { id: 'a-00000001', name: 'a', status: 'unhealthy' },
      { id: 'a-00000002', name: 'a', status: 'healthy' },
    ];
    expect(findRegistration(entries, { name: 'a' })?.id).toBe('a-00000002');
  });

  it('keys entries by agent_id, else name, else id', () => {
    expect(identityOf({ agent_id: 'x', name: 'y', id: 'z' })).toBe('x');
    expect(identityOf({ name: 'y', id: 'z' })).toBe('y');
    expect(identityOf({ id: 'z' })).toBe('z');
    expect(identityOf({})).toBeUndefined();
    expect(healthOf({})).toBe('unknown');
  });
});
