/**
 * The load generator, run as its own process (pinned to the load core by load.ts) so that it never
 * shares the server's process or core. Reads jobs as JSON lines on stdin and runs them one at a
 * time, printing one JSON result line for each; exits when stdin closes.
 *
 * - `closed`: autocannon, N connections each sending its next request when the last one answered;
 *   a warm-up run, then the measured run. Gives the throughput ceiling.
 * - `jobs`: the jobs API in a closed loop over raw keep-alive connections, reading every answer:
 *   `claims` sends `POST /jobs/claim` and counts the claims that found a job (and, apart, those
 *   that found none); `round-trip` runs submit → claim → complete → read back, and counts the
 *   round trips whose read showed the job completed.
 * - `open`: a fixed arrival rate whatever the server does (open loop), each request to the next of
 *   `agents` ids in turn; latency counted from when the request was due, not when it was sent, so
 *   a server that falls behind shows it (no coordinated omission).
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export interface ClosedJob {
  mode: 'closed';
  url: string;
  method: 'GET' | 'POST' | 'HEAD';
  body?: string;
  idReplacement?: boolean;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * `raw` (our minimal client) for HEAD: autocannon's parser does not know a HEAD reply has no
   * body, and waits for one when the server sends no content-length (both registries do not).
   */
  client?: 'autocannon' | 'raw';
}

export interface OpenJob {
  mode: 'open';
  /** Base URL; `{id}` in `path` and `body` is replaced by the agent id. */
  url: string;
  method: 'POST' | 'HEAD';
  path: string;
  body?: string;
  /** Agent ids are `${idPrefix}${i}` for i in [0, agents). */
  idPrefix: string;
  agents: number;
  rate: number;
  warmupSeconds: number;
  seconds: number;
}

export interface JobsJob {
  mode: 'jobs';
  kind: 'claims' | 'round-trip';
  /** Base URL. */
  url: string;
  capability: string;
  /** The provider agent that claims and completes. */
  instanceId: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface JobsResult extends ClosedResult {
  /** Claims answered with no job (`claimed: []`): not counted in `rps` or `requests`. */
  empty: number;
}

export interface ClosedResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

export interface OpenResult {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  sent: number;
  /** Per second of the run (by when each request was due): its p99 and max, ms. */
  perSecond: { p99: number; max: number }[];
}

/** Numbers new agents' ids: it keeps counting across jobs, so every job registers new agents. */
let counter = 0;

async function runClosed(job: ClosedJob): Promise<ClosedResult> {
  if (job.client === 'raw') return runClosedRaw(job);
  // autocannon's own `idReplacement` keeps the template's content-length, which no longer fits
  // the body: build each body here instead, so every request registers a new agent.
  const template = job.body ?? '';
  const unique = job.idReplacement
    ? {
        requests: [
          {
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              body: template.replaceAll('[<id>]', `${process.pid}-${counter++}`),
            }),
          },
        ],
      }
    : { body: job.body };
  const opts = {
    url: job.url,
    method: job.method,
    headers: job.body ? { 'content-type': 'application/json' } : {},
    ...unique,
    connections: job.connections,
    pipelining: 1,
    timeout: 10,
  };
  if (job.warmupSeconds > 0) await autocannon({ ...opts, duration: job.warmupSeconds });
  const r = await autocannon({ ...opts, duration: job.seconds });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    requests: r.requests.total,
  };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * One keep-alive connection of the open-loop client: raw HTTP/1.1 with one request in flight, a
 * minimal response parser (status line, content-length, body). Much cheaper than `node:http`, so
 * the client stays far below its own limit at the rates we offer.
 */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private expected = -1;
  private status = 0;
  private onDone: ((status: number, body: Buffer) => void) | undefined;
  readonly socket: Socket;
  isBusy = false;

  /** The server closed it (idle keep-alive timeout, or an error): the pool replaces it. */
  isClosed = false;

  constructor(host: string, port: number, onError: () => void) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', onError);
    this.socket.on('close', () => {
      this.isClosed = true;
      // A request in flight on a closed connection fails (status 0 counts as an error).
      const done = this.onDone;
      this.onDone = undefined;
      done?.(0, Buffer.alloc(0));
    });
  }

  send(bytes: Buffer, isHead: boolean, onDone: (status: number, body: Buffer) => void): void {
    this.isBusy = true;
    this.isHead = isHead;
    this.onDone = onDone;
    this.socket.write(bytes);
  }

  private isHead = false;

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.expected < 0) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buffer.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (!this.isHead && length === null && /\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          this.socket.destroy(new Error('chunked replies are not read by this client'));
          return;
        }
        this.expected = this.isHead ? 0 : Number(length?.[1] ?? 0);
        this.buffer = this.buffer.subarray(end + 4);
      }
      if (this.buffer.length < this.expected) return;
      const body = this.buffer.subarray(0, this.expected);
      this.buffer = this.buffer.subarray(this.expected);
      this.expected = -1;
      this.isBusy = false;
      const done = this.onDone;
      this.onDone = undefined;
      done?.(this.status, body);
      if (this.buffer.length === 0) return;
    }
  }
}

async function runOpen(job: OpenJob): Promise<OpenResult> {
  const base = new URL(job.url);
  const host = base.hostname;
  const port = Number(base.port);
  const isHead = job.method === 'HEAD';
  const requestFor = (i: number): Buffer => {
    const id = `${job.idPrefix}${i % job.agents}`;
    const body = job.body?.replaceAll('{id}', id) ?? '';
    const path = job.path.replaceAll('{id}', encodeURIComponent(id));
    const headers = body
      ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`
      : '';
    return Buffer.from(`${job.method} ${path} HTTP/1.1\r\nhost: ${base.host}\r\n${headers}\r\n${body}`);
  };
  // Enough connections that a queue only forms when the server itself falls behind.
  const connectionCount = Math.min(256, Math.max(16, Math.ceil(job.rate / 100)));
  let socketErrors = 0;
  const open = () => new Connection(host, port, () => socketErrors++);
  const pool = Array.from({ length: connectionCount }, open);
  await Promise.all(pool.map((c) => new Promise((r) => c.socket.once('connect', r))));
  // Used in turn (first in, first out), so no connection idles into the server's keep-alive timeout.
  const idle = [...pool];

  const run = (seconds: number, record: boolean) =>
    new Promise<OpenResult>((resolve) => {
      const total = Math.round(job.rate * seconds);
      const latencies = new Float64Array(total);
      /** Latency by request index (when it was due), for the per-second view. */
      const byDue = new Float64Array(total).fill(Number.NaN);
      const queue: number[] = [];
      let queueHead = 0;
      let done = 0;
      let errors = 0;
      let sent = 0;
      const start = performance.now();
      const intervalMs = 1000 / job.rate;
      const finish = () => {
        const elapsed = (performance.now() - start) / 1000;
        const measured = latencies.slice(0, done).sort();
        const perSecond: OpenResult['perSecond'] = [];
        for (let from = 0; from < total; from += job.rate) {
          const second = byDue
            .slice(from, from + job.rate)
            .filter((v) => !Number.isNaN(v))
            .sort();
          perSecond.push({ p99: quantile(second, 0.99), max: quantile(second, 1) });
        }
        resolve({
          perSecond,
          rate: job.rate,
          achieved: done / elapsed,
          p50: quantile(measured, 0.5),
          p99: quantile(measured, 0.99),
          max: quantile(measured, 1),
          errors: errors + (total - done),
          sent,
        });
      };
      const pump = () => {
        while (queueHead < queue.length && idle.length > 0) {
          const i = queue[queueHead++] as number;
          let conn = idle.shift() as Connection;
          if (conn.isClosed) {
            conn = open();
            pool.push(conn);
          }
          conn.send(requestFor(i), isHead, (status) => {
            const latency = performance.now() - (start + i * intervalMs);
            latencies[done++] = latency;
            byDue[i] = latency;
            if (status < 200 || status >= 300) errors += 1;
            idle.push(conn);
            if (done === total) finish();
            else pump();
          });
        }
      };
      // Bounded in count (total) and time (the drain deadline below).
      const tick = () => {
        const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
        while (sent < due) queue.push(sent++);
        pump();
        if (sent < total) setTimeout(tick, 1);
      };
      tick();
      setTimeout(
        () => {
          if (done < total) finish();
        },
        (seconds + 15) * 1000,
      ).unref();
      void record;
    });

  if (job.warmupSeconds > 0) await run(job.warmupSeconds, false);
  const result = await run(job.seconds, true);
  for (const c of pool) c.socket.destroy();
  result.errors += socketErrors;
  return result;
}

/** Closed loop with the raw client: each connection sends its next request when answered. */
async function runClosedRaw(job: ClosedJob): Promise<ClosedResult> {
  const base = new URL(job.url);
  const isHead = job.method === 'HEAD';
  const requestBytes = (body: string) =>
    Buffer.from(
      `${job.method} ${base.pathname}${base.search} HTTP/1.1\r\nhost: ${base.host}\r\n${
        body ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` : ''
      }\r\n${body}`,
    );
  const template = job.body ?? '';
  const fixed = requestBytes(template);
  // A new agent per request when asked (registrations), as the autocannon client does.
  const nextRequest = job.idReplacement
    ? () => requestBytes(template.replaceAll('[<id>]', `${process.pid}-${counter++}`))
    : () => fixed;
  let socketErrors = 0;
  const pool = Array.from(
    { length: job.connections },
    () => new Connection(base.hostname, Number(base.port), () => socketErrors++),
  );
  await Promise.all(pool.map((c) => new Promise((r) => c.socket.once('connect', r))));
  const run = (seconds: number) =>
    new Promise<ClosedResult>((resolve) => {
      const latencies: number[] = [];
      let errors = 0;
      let stopped = false;
      let inFlight = 0;
      const start = performance.now();
      const loop = (conn: Connection) => {
        if (stopped) {
          if (--inFlight === 0) finish();
          return;
        }
        const sentAt = performance.now();
        conn.send(nextRequest(), isHead, (status) => {
          latencies.push(performance.now() - sentAt);
          if (status < 200 || status >= 300) errors += 1;
          loop(conn);
        });
      };
      const finish = () => {
        const elapsed = (performance.now() - start) / 1000;
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          rps: latencies.length / elapsed,
          p50: quantile(sorted, 0.5),
          p99: quantile(sorted, 0.99),
          errors,
          requests: latencies.length,
        });
      };
      for (const conn of pool) {
        inFlight += 1;
        loop(conn);
      }
      setTimeout(() => {
        stopped = true;
      }, seconds * 1000);
      // Bounded: a connection that never answers must not hold the bench.
      setTimeout(
        () => {
          if (inFlight > 0) finish();
        },
        (seconds + 15) * 1000,
      ).unref();
    });
  if (job.warmupSeconds > 0) await run(job.warmupSeconds);
  const result = await run(job.seconds);
  for (const c of pool) c.socket.destroy();
  result.errors += socketErrors;
  return result;
}

/** One request's bytes: HTTP/1.1, keep-alive, a JSON body when given. */
function httpRequestBytes(base: URL, method: string, path: string, body = ''): Buffer {
  const headers = body
    ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`
    : '';
  return Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: ${base.host}\r\n${headers}\r\n${body}`);
}

function exchange(conn: Connection, bytes: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve) => conn.send(bytes, false, (status, body) => resolve({ status, body })));
}

/**
 * The jobs API in a closed loop: each connection runs its next claim (or round trip) as soon as
 * the last one ended. Only claims that found a job, and round trips that ended with the job read
 * back as completed, count; latency is per claim request (all of them) or per whole round trip.
 */
async function runJobs(job: JobsJob): Promise<JobsResult> {
  const base = new URL(job.url);
  const claimBytes = httpRequestBytes(
    base,
    'POST',
    '/jobs/claim',
    JSON.stringify({ capability: job.capability, instance_id: job.instanceId }),
  );
  let socketErrors = 0;
  const pool = Array.from(
    { length: job.connections },
    () => new Connection(base.hostname, Number(base.port), () => socketErrors++),
  );
  await Promise.all(pool.map((c) => new Promise((r) => c.socket.once('connect', r))));

  /** One claim: the claimed job, `undefined` when none was found, `null` on an error. */
  const claim = async (conn: Connection) => {
    const { status, body } = await exchange(conn, claimBytes);
    if (status !== 200) return null;
    const claimed = (JSON.parse(body.toString('utf8')) as { claimed: { id: string; claim_epoch: number }[] })
      .claimed[0];
    return claimed;
  };
  /** One round trip; true when the job read back completed. */
  const roundTrip = async (conn: Connection, n: number) => {
    const submitted = await exchange(
      conn,
      httpRequestBytes(
        base,
        'POST',
        '/jobs',
        JSON.stringify({ capability: job.capability, submitted_by: 'bench', submitted_payload: { n } }),
      ),
    );
    if (submitted.status !== 201) return null;
    const claimed = await claim(conn);
    if (!claimed) return claimed;
    const delta = { id: claimed.id, claim_epoch: claimed.claim_epoch, status: 'completed', result: { n } };
    const updated = await exchange(
      conn,
      httpRequestBytes(
        base,
        'POST',
        '/jobs/batch',
        JSON.stringify({ instance_id: job.instanceId, deltas: [delta] }),
      ),
    );
    if (updated.status !== 200 || JSON.parse(updated.body.toString('utf8')).accepted !== 1) return null;
    const read = await exchange(conn, httpRequestBytes(base, 'GET', `/jobs/${claimed.id}`));
    return read.status === 200 && JSON.parse(read.body.toString('utf8')).status === 'completed' ? true : null;
  };

  let counter = 0;
  const run = async (seconds: number): Promise<JobsResult> => {
    const latencies: number[] = [];
    let errors = 0;
    let empty = 0;
    let counted = 0;
    let stopped = false;
    const start = performance.now();
    const timer = setTimeout(() => {
      stopped = true;
    }, seconds * 1000);
    await Promise.all(
      pool.map(async (conn) => {
        while (!stopped && !conn.isClosed) {
          const sentAt = performance.now();
          const outcome = job.kind === 'claims' ? await claim(conn) : await roundTrip(conn, counter++);
          if (outcome === null) errors += 1;
          else if (outcome === undefined) empty += 1;
          if (job.kind === 'claims' || outcome) latencies.push(performance.now() - sentAt);
          if (outcome) counted += 1;
        }
      }),
    );
    clearTimeout(timer);
    const elapsed = (performance.now() - start) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    return {
      rps: counted / elapsed,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      errors,
      empty,
      requests: counted,
    };
  };
  if (job.warmupSeconds > 0) await run(job.warmupSeconds);
  const result = await run(job.seconds);
  for (const c of pool) c.socket.destroy();
  result.errors += socketErrors;
  return result;
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const job = JSON.parse(line) as ClosedJob | OpenJob | JobsJob;
  const result =
    job.mode === 'closed'
      ? await runClosed(job)
      : job.mode === 'jobs'
        ? await runJobs(job)
        : await runOpen(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);
