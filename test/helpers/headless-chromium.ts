/**
 * A real headless Chromium (Debian's `chromium` package, installed by the test prerequisites),
 * driven over the DevTools protocol with Node's own WebSocket and fetch: open a page, evaluate
 * expressions in it, take a screenshot, and collect what it reports as errors (uncaught
 * exceptions, console errors, Content-Security-Policy violations, failed loads).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { tempDir } from './temp-dir.js';

/** The browser's executable; MESH_TEST_CHROMIUM names another. */
export const CHROMIUM = process.env.MESH_TEST_CHROMIUM ?? 'chromium';

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** One DevTools protocol connection (to a page target). */
class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly listeners = new Map<string, ((params: Record<string, unknown>) => void)[]>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as CdpMessage;
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result ?? {});
        return;
      }
      for (const listener of this.listeners.get(message.method ?? '') ?? []) listener(message.params ?? {});
    });
    socket.addEventListener('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('DevTools connection closed'));
      this.pending.clear();
    });
  }

  static async connect(url: string): Promise<CdpSession> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new CdpSession(socket);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: (params: Record<string, unknown>) => void): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  once(method: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      let isDone = false;
      this.on(method, (params) => {
        if (isDone) return;
        isDone = true;
        resolve(params);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface BrowserPage {
  /** Opens `url` and resolves once its load event fired. */
  goto(url: string): Promise<void>;
  /** The value of `expression` (a promise is awaited), passed back as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy; resolves with its value. */
  waitFor<T>(expression: string, timeoutMs: number, what: string): Promise<T>;
  /** A PNG of the whole page. */
  screenshot(): Promise<Buffer>;
  /** What the page reported as errors so far. */
  errors: string[];
}

export interface Browser extends AsyncDisposable {
  page: BrowserPage;
  process: ChildProcess;
}

/** Reads the DevTools address Chromium prints on stderr when it listens. */
function devToolsPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`chromium did not listen in ${timeoutMs} ms:\n${text}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited (${code}) before listening:\n${text}`));
    });
  });
}

/** Starts a headless Chromium with a fresh profile and a 1400x1000 window, and connects to its page. */
export async function launchChromium(): Promise<Browser> {
  const profile = tempDir('mesh-chromium-');
  const child = spawn(
    CHROMIUM,
    [
      '--headless=new',
      // As root (containers, CI), Chromium's sandbox will not start.
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile.path}`,
      '--window-size=1400,1000',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    profile[Symbol.dispose]();
  };
  try {
    const port = await devToolsPort(child, 60_000);
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.type === 'page');
    if (!target) throw new Error('chromium has no page');
    const cdp = await CdpSession.connect(target.webSocketDebuggerUrl);
    const errors: string[] = [];
    cdp.on('Runtime.exceptionThrown', (params) => {
      const details = params.exceptionDetails as { text?: string; exception?: { description?: string } };
      errors.push(`exception: ${details.exception?.description ?? details.text ?? ''}`);
    });
    cdp.on('Runtime.consoleAPICalled', (params) => {
      if (params.type !== 'error') return;
      const args = (params.args as { value?: unknown; description?: string }[]).map(
        (a) => a.value ?? a.description,
      );
      errors.push(`console.error: ${args.join(' ')}`);
    });
    cdp.on('Log.entryAdded', (params) => {
      const entry = params.entry as { level: string; text: string; url?: string };
      if (entry.level === 'error') errors.push(`log: ${entry.text} ${entry.url ?? ''}`.trim());
    });
    await Promise.all([cdp.send('Page.enable'), cdp.send('Runtime.enable'), cdp.send('Log.enable')]);
    const evaluate = async <T>(expression: string): Promise<T> => {
      const answer = await cdp.send<{ result: { value?: unknown }; exceptionDetails?: { text: string } }>(
        'Runtime.evaluate',
        { expression, returnByValue: true, awaitPromise: true },
      );
      if (answer.exceptionDetails) throw new Error(`evaluate failed: ${answer.exceptionDetails.text}`);
      return answer.result.value as T;
    };
    const page: BrowserPage = {
      errors,
      async goto(url) {
        const loaded = cdp.once('Page.loadEventFired');
        const navigated = await cdp.send<{ errorText?: string }>('Page.navigate', { url });
        if (navigated.errorText) throw new Error(`cannot open ${url}: ${navigated.errorText}`);
        await loaded;
      },
      evaluate,
      async waitFor<T>(expression: string, timeoutMs: number, what: string): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        let last: unknown;
        while (Date.now() < deadline) {
          last = await evaluate<T>(expression);
          if (last) return last as T;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
      },
      async screenshot() {
        const { data } = await cdp.send<{ data: string }>('Page.captureScreenshot', {
          format: 'png',
          captureBeyondViewport: true,
        });
        return Buffer.from(data, 'base64');
      },
    };
    return {
      page,
      process: child,
      async [Symbol.asyncDispose]() {
        cdp.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
