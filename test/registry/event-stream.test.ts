/**
 * `GET /events/stream`, the watch API as server-sent events: the first message names the
 * registry index, another follows when a write moves it (here or on another replica), a client
 * that leaves gives its place back, and closing the registry ends the stream.
 */
import { describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

/** Reads a text/event-stream as it arrives; `next()` resolves with the next message (comments skipped). */
async function openStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let isDone = false;
  const next = async (timeoutMs = 10_000): Promise<SseMessage | undefined> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = line.slice(0, colon) as keyof SseMessage;
          message[field] = line.slice(colon + 1).trimStart();
        }
        if (Object.keys(message).length === 0) continue;
        return message;
      }
      if (isDone) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
      ]);
      if (chunk === 'timeout') throw new Error(`no message within ${timeoutMs} ms`);
      if (chunk.done) isDone = true;
      else buffer += chunk.value;
    }
  };
  return { response, next, close: () => controller.abort() };
}

const indexOfMessage = (message: SseMessage | undefined) =>
  (JSON.parse(message?.data ?? 'null') as { index: number }).index;

describe('GET /events/stream', () => {
  it('names the index first, then each new one a write makes; a leaving client gives its place back', async () => {
    await using registry = await startRegistry();
    const stream = await openStream(`${registry.baseUrl}/events/stream`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream');
    const first = await stream.next();
    expect(first).toMatchObject({ retry: '2000', event: 'index' });
    const index = indexOfMessage(first);
    expect(first?.id).toBe(String(index));
    expect(stream.response.headers.get('x-mesh-index')).toBe(String(index));
    expect(registry.app.indexWatch.size).toBe(1);

    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('stream-0a0a0a0a'))).status).toBe(
      200,
    );
    const second = await stream.next();
    expect(second?.event).toBe('index');
    expect(indexOfMessage(second)).toBeGreaterThan(index);
    const listed = await send(registry.baseUrl, { path: '/agents' });
    expect(indexOfMessage(second)).toBe(Number(listed.headers['x-mesh-index']));

    stream.close();
    await expect.poll(() => registry.app.indexWatch.size, { timeout: 5000 }).toBe(0);
  });

  it('tells a stream on one replica of a write on another', async () => {
    await using first = await startRegistry();
    await using second = await startRegistry({ databaseUrl: first.databaseUrl });
    const stream = await openStream(`${second.baseUrl}/events/stream`);
    const index = indexOfMessage(await stream.next());
    expect((await postJson(first.baseUrl, '/heartbeat', heartbeatBody('faraway-1b1b1b1b'))).status).toBe(200);
    const moved = await stream.next(15_000);
    expect(indexOfMessage(moved)).toBeGreaterThan(index);
    const agents = await send(second.baseUrl, { path: '/agents' });
    expect(agents.body).toContain('faraway-1b1b1b1b');
    stream.close();
  });

  it('ends when the registry closes', async () => {
    await using registry = await startRegistry();
    const stream = await openStream(`${registry.baseUrl}/events/stream`);
    await stream.next();
    const closed = registry.app.close();
    expect(await stream.next()).toBeUndefined();
    await closed;
  });
});
