/**
 * The watch API through any replica: two registry processes on one PostgreSQL database. A
 * blocking query and an event stream on one replica wake when an agent registers through the
 * other (learned by the snapshot sync), and both replicas name the same index for the same state.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

const running: RegistryProcess[] = [];
afterEach(async () => {
  for (const replica of running.splice(0)) await replica[Symbol.asyncDispose]();
});

async function twoReplicas(): Promise<[RegistryProcess, RegistryProcess]> {
  const url = await createPostgresDatabase(inject('postgresAdminUrl'));
  const replicas = await Promise.all(
    [0, 1].map(() => spawnRegistry(undefined, { MCP_MESH_DATABASE_URL: url }, 60_000)),
  );
  running.push(...replicas);
  return [replicas[0]!, replicas[1]!];
}

const indexOf = async (baseUrl: string) =>
  Number((await send(baseUrl, { path: '/agents' })).headers['x-mesh-index']);

describe('the watch API across replica processes', () => {
  it("wakes a blocking query and a stream on one replica at the other's write, at the same index", async () => {
    const [writer, watcher] = await twoReplicas();
    const index = await indexOf(watcher.baseUrl);
    expect(index).toBe(await indexOf(writer.baseUrl));

    const stream = await fetch(`${watcher.baseUrl}/events/stream`);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toContain(`data: {"index":${index}}`);

    const started = performance.now();
    const blocking = send(watcher.baseUrl, { path: `/agents?index=${index}&wait=60s` });
    // Let the query start waiting before the write.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await postJson(writer.baseUrl, '/heartbeat', heartbeatBody('across-3d3d3d3d'))).status).toBe(200);

    const answer = await blocking;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('across-3d3d3d3d');
    // Within the snapshot sync's reach (200 ms pulls), far from the 60 s wait.
    expect(performance.now() - started).toBeLessThan(15_000);
    const moved = Number(answer.headers['x-mesh-index']);
    expect(moved).toBeGreaterThan(index);
    expect(moved).toBe(await indexOf(writer.baseUrl));

    let text = '';
    while (!text.includes(`data: {"index":${moved}}`)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += chunk.value;
    }
    expect(text).toContain(`id: ${moved}\nevent: index\ndata: {"index":${moved}}`);
    await reader.cancel();
  });
});
