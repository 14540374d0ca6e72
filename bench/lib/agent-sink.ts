/**
 * Where the bench's agents say they listen. The registry checks the endpoint of an agent whose
 * heartbeat is late (MCP_MESH_HEARTBEAT_PROBE_AFTER) and marks it unhealthy when the connection
 * is refused; the bench's agents are requests, not processes, so they all name this one port,
 * which accepts every connection and closes it: late agents then wait for their timeout, as a
 * live but slow agent would. Without it, a provider registered a few seconds before its
 * consumer could be judged gone before the consumer resolved it.
 */
import { createServer } from 'node:net';

/** The variable payloads.ts reads the port from (children of the bench inherit it). */
export const AGENT_PORT_VARIABLE = 'MESH_BENCH_AGENT_PORT';

/** Starts the sink (once per process tree) and names its port in the environment. */
export async function startAgentSink(): Promise<number> {
  const known = Number(process.env[AGENT_PORT_VARIABLE]);
  if (known > 0) return known;
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // It must not keep the bench alive once the rest is done.
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.env[AGENT_PORT_VARIABLE] = String(port);
  return port;
}
