import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { probeEndpoint, probeTarget } from '../../src/registry/endpoint-probe.js';
import { freePort } from '../helpers/free-port.js';

describe('the endpoint check of a late agent', () => {
  it('reads host and port from the endpoint, and nothing from an address that is not one to connect to', () => {
    expect(probeTarget('http://10.0.0.5:8080')).toEqual({ host: '10.0.0.5', port: 8080 });
    expect(probeTarget('https://agent.example')).toEqual({ host: 'agent.example', port: 443 });
    expect(probeTarget('http://[::1]:9000/mcp')).toEqual({ host: '::1', port: 9000 });
    expect(probeTarget('http://0.0.0.0:9000')).toBeUndefined();
    expect(probeTarget('stdio://agent')).toBeUndefined();
    expect(probeTarget('not a url')).toBeUndefined();
  });

  it('answers refused where nothing listens, open where something does, unknown for no address', async () => {
    const port = await freePort();
    expect(await probeEndpoint(`http://127.0.0.1:${port}`, 2000)).toBe('refused');
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await probeEndpoint(`http://127.0.0.1:${port}`, 2000)).toBe('open');
    } finally {
      server.close();
    }
    expect(await probeEndpoint('http://0.0.0.0:1', 2000)).toBe('unknown');
  });
});
