import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

/**
 * The watch alone decides here: the periodic sweep runs once a minute. A late heartbeat (0.5 s)
 * has the agent's endpoint checked; the timeout is 4 s.
 */
const ENV = {
  MCP_MESH_HEARTBEAT_PROBE_AFTER: '0.5',
  DEFAULT_TIMEOUT_THRESHOLD: '4',
  HEALTH_CHECK_INTERVAL: '60',
};

const head = async (baseUrl: string, id: string) =>
  (await send(baseUrl, { method: 'HEAD', path: `/heartbeat/${id}` })).status;

function provider(id: string, port: number) {
  return heartbeatBody(id, { http_port: port });
}

/** Consumers listen (so their own silence between HEADs is never judged by a refusal). */
let consumerPort = 0;

function consumer(id: string) {
  return heartbeatBody(id, {
    http_port: consumerPort,
    tools: [
      { function_name: 'use_time', capability: 'report', dependencies: [{ capability: 'time_service' }] },
    ],
  });
}

async function listening(port: number): Promise<Server> {
  const server = createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the consumer's HEAD (keeping it alive) until it answers 202; the time it took, in ms. */
async function untilConsumerHears(registry: RunningRegistry, id: string, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await head(registry.baseUrl, id)) === 202) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`the consumer heard nothing within ${withinMs} ms`);
}

const statusOf = (registry: RunningRegistry, id: string) => registry.store.getAgent(id)?.status;

describe('the liveness watch: a late heartbeat has the endpoint checked', () => {
  let consumerServer: Server | undefined;
  beforeAll(async () => {
    consumerPort = await freePort();
    consumerServer = await listening(consumerPort);
  });
  afterAll(() => {
    consumerServer?.close();
  });

  it('marks an agent whose endpoint stops accepting unhealthy soon after its heartbeat is late, and its consumers hear of it', async () => {
    await using registry = await startRegistry({ env: ENV });
    const port = await freePort();
    const server = await listening(port);
    expect((await postJson(registry.baseUrl, '/heartbeat', provider('dead-1a', port))).status).toBe(200);
    expect((await postJson(registry.baseUrl, '/heartbeat', consumer('user-1a'))).status).toBe(200);
    // The registry has connected to it once; now the process is gone.
    await sleep(200);
    await new Promise((resolve) => server.close(resolve));
    await sleep(100);
    // Not before its heartbeat is late.
    expect(statusOf(registry, 'dead-1a')).toBe('healthy');
    const heardAfter = await untilConsumerHears(registry, 'user-1a', 3000);
    expect(statusOf(registry, 'dead-1a')).toBe('unhealthy');
    // Well before the 4 s timeout.
    expect(heardAfter + 300).toBeLessThan(2500);
    expect(await head(registry.baseUrl, 'dead-1a')).toBe(410);
  });

  it('takes no refusal as evidence at an endpoint it never reached (an address only the agent sees): the timeout decides', async () => {
    await using registry = await startRegistry({ env: ENV });
    const closedPort = await freePort();
    const started = Date.now();
    await postJson(registry.baseUrl, '/heartbeat', provider('elsewhere-4d', closedPort));
    await postJson(registry.baseUrl, '/heartbeat', consumer('user-4d'));
    await sleep(2500);
    expect(statusOf(registry, 'elsewhere-4d')).toBe('healthy');
    await untilConsumerHears(registry, 'user-4d', 5000);
    expect(statusOf(registry, 'elsewhere-4d')).toBe('unhealthy');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  it('leaves an agent whose endpoint accepts connections healthy until its timeout', async () => {
    await using registry = await startRegistry({ env: ENV });
    const port = await freePort();
    const server = await listening(port);
    onTestFinished(() => {
      server.close();
    });
    const started = Date.now();
    await postJson(registry.baseUrl, '/heartbeat', provider('slow-2b', port));
    await postJson(registry.baseUrl, '/heartbeat', consumer('user-2b'));
    await sleep(2500);
    expect(statusOf(registry, 'slow-2b')).toBe('healthy');
    expect(await head(registry.baseUrl, 'user-2b')).toBe(200);
    await untilConsumerHears(registry, 'user-2b', 5000);
    expect(statusOf(registry, 'slow-2b')).toBe('unhealthy');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  it('lets a refusal decide at most once per timeout: the same agent gone again waits for its timeout', async () => {
    await using registry = await startRegistry({ env: ENV });
    const port = await freePort();
    let server = await listening(port);
    await postJson(registry.baseUrl, '/heartbeat', provider('flap-3c', port));
    await postJson(registry.baseUrl, '/heartbeat', consumer('user-3c'));
    await sleep(200);
    await new Promise((resolve) => server.close(resolve));
    await untilConsumerHears(registry, 'user-3c', 3000);
    expect(statusOf(registry, 'flap-3c')).toBe('unhealthy');
    // Back (listening, a full heartbeat) and gone again at once.
    server = await listening(port);
    const back = Date.now();
    expect((await postJson(registry.baseUrl, '/heartbeat', provider('flap-3c', port))).status).toBe(200);
    await postJson(registry.baseUrl, '/heartbeat', consumer('user-3c'));
    await sleep(200);
    await new Promise((resolve) => server.close(resolve));
    await sleep(1800);
    expect(statusOf(registry, 'flap-3c')).toBe('healthy');
    await untilConsumerHears(registry, 'user-3c', 5000);
    expect(statusOf(registry, 'flap-3c')).toBe('unhealthy');
    expect(Date.now() - back).toBeGreaterThanOrEqual(4000);
  });
});
