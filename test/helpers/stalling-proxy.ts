import { connect, createServer, type Server, type Socket } from 'node:net';

export interface StallingProxy extends AsyncDisposable {
  port: number;
  /**
   * From now on nothing gets through, and nothing is refused either: bytes in flight on open
   * connections stop, new connections are accepted and never answered. A database that hangs.
   */
  stall(): void;
  /** Ends the stall: the held connections are cut (as after a failover) and new ones go through. */
  resume(): void;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort` on 127.0.0.1 that can be made to hang. With
 * `stalled` set from the start it is a server that accepts and never answers.
 */
export async function startStallingProxy(
  targetPort: number,
  options: { stalled?: boolean } = {},
): Promise<StallingProxy> {
  let isStalled = options.stalled ?? false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server: Server = createServer((client) => {
    track(client);
    if (isStalled) {
      client.pause();
      return;
    }
    const target = connect({ host: '127.0.0.1', port: targetPort });
    track(target);
    // While stalled, bytes are dropped rather than queued: the peer hears nothing, ever.
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!isStalled) to.write(chunk);
      });
    forward(client, target);
    forward(target, client);
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stall() {
      isStalled = true;
    },
    resume() {
      isStalled = false;
      for (const socket of sockets) socket.destroy();
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
