/**
 * A small in-memory cache with a maximum number of entries (least recently used evicted first)
 * and a per-entry expiry. Absent values (`undefined`, "no such item") are cached like any other,
 * typically with a shorter TTL, so a flood of unknown ids costs one lookup each and no more
 * memory than `maxEntries`. Concurrent loads of one id share a single lookup.
 */
export interface LruCacheOptions {
  readonly maxEntries: number;
  /** Epoch milliseconds (inject a fake clock in tests). */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

export class LruTtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(private readonly options: LruCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fresh cached value, refreshing its recency; `{ hit: false }` when absent or expired. */
  peek(id: string): { hit: true; value: V } | { hit: false } {
    const entry = this.entries.get(id);
    if (entry === undefined) return { hit: false };
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return { hit: false };
    this.entries.set(id, entry);
    return { hit: true, value: entry.value };
  }

  set(id: string, value: V, ttlMs: number): void {
    this.entries.delete(id);
    if (ttlMs <= 0) return;
    this.entries.set(id, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  /**
   * The cached value, or the result of `load` cached for `ttlMs(value)` milliseconds. Failed
   * loads are not cached. Concurrent calls for one id while it loads share the one `load`.
   */
  async getOrLoad(id: string, load: () => Promise<V>, ttlMs: (value: V) => number): Promise<V> {
    const hit = this.peek(id);
    if (hit.hit) return hit.value;
    const pending = this.inflight.get(id);
    if (pending !== undefined) return pending;
    const loading = (async () => {
      try {
        const value = await load();
        this.set(id, value, ttlMs(value));
        return value;
      } finally {
        this.inflight.delete(id);
      }
    })();
    this.inflight.set(id, loading);
    return loading;
  }
}
