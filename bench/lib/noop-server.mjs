/**
 * The ceiling: a bare `node:http` server on the same Node that reads the body and answers every
 * request with a small JSON object (HEAD with headers only). Nothing a registry could do is cheaper.
 *
 * Plain JavaScript (.mjs): a .ts entry would make Node load its type-stripping WebAssembly, which
 * a bare server does not have (tens of MB of RSS).
 *
 *   node bench/lib/noop-server.mjs <port>
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const BODY = Buffer.from('{"status":"success","message":"ok"}');

createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': req.method === 'HEAD' ? 0 : BODY.length,
    });
    res.end(req.method === 'HEAD' ? undefined : BODY);
  });
}).listen(port, '127.0.0.1');
