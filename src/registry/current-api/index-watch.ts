import type { RegistryStore } from '../../storage/registry-store.js';

/**
 * The watch API's waiting side: blocking queries (`GET /agents?index=N&wait=30s`) and event
 * streams (`GET /events/stream`) wait here for the store's index, the database revision every
 * replica shares (a replica learns other replicas' changes by its snapshot sync, which moves the
 * index too). The watches open at once are bounded, so clients cannot grow the registry's memory
 * by opening many; closing ends every one.
 */

/** Blocking queries and streams open at once on one process; more answer 429. */
export const MAX_WATCHES = 1000;

interface Waiter {
  /** Woken by an index above this. */
  above: number;
  wake(): void;
}

export class IndexWatch {
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(index: number) => void>();
  private readonly closing = new AbortController();
  private watches = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Pick<RegistryStore, 'index' | 'onIndexChange'>,
    readonly capacity: number = MAX_WATCHES,
  ) {
    this.unsubscribe = store.onIndexChange((index) => this.changed(index));
  }

  get index(): number {
    return this.store.index;
  }

  /** Aborts when the registry closes: every watch ends then. */
  get closed(): AbortSignal {
    return this.closing.signal;
  }

  /** Watches open now (blocking queries and streams). */
  get size(): number {
    return this.watches;
  }

  /** Takes a place for one watch; false when every place is taken (or the registry closes). */
  enter(): boolean {
    if (this.watches >= this.capacity || this.closing.signal.aborted) return false;
    this.watches += 1;
    return true;
  }

  /** Gives the place back. */
  leave(): void {
    this.watches -= 1;
  }

  /**
   * Resolves with the index once it is above `above`, or after `ms`, or when `signal` aborts or
   * the registry closes, whichever comes first (at once when it already is above).
   */
  waitAbove(above: number, ms: number, signal: AbortSignal): Promise<number> {
    return new Promise((resolve) => {
      const ended = AbortSignal.any([signal, this.closing.signal]);
      if (this.index > above || ended.aborted || ms <= 0) {
        resolve(this.index);
        return;
      }
      const waiter: Waiter = {
        above,
        wake: () => {
          clearTimeout(timer);
          ended.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve(this.index);
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      ended.addEventListener('abort', waiter.wake);
      this.waiters.add(waiter);
    });
  }

  /** Calls `listener` with every new index until the returned function is called. */
  subscribe(listener: (index: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends every watch (the registry closes). */
  close(): void {
    this.unsubscribe();
    this.closing.abort();
  }

  private changed(index: number): void {
    for (const waiter of this.waiters) if (index > waiter.above) waiter.wake();
    for (const listener of this.listeners) listener(index);
  }
}
