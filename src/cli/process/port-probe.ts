/** Is something listening on host:port? A TCP connect over IPv4 with a 1 s limit (cli.md §5.3 step 2). */
import { connect } from 'node:net';

export function isPortBusy(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, family: 4, timeout: timeoutMs });
    const finish = (busy: boolean) => {
      socket.destroy();
      resolve(busy);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // A host that does not resolve counts as busy, as in the original: the search then fails.
      finish(error.code !== 'ECONNREFUSED');
    });
  });
}
