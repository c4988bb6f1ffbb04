import { LruTtlCache } from './lru-cache';

describe('LruTtlCache', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new LruTtlCache<number>({ maxEntries: 2, now: () => 0 });
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    expect(cache.peek('a')).toEqual({ hit: true, value: 1 }); // a is now the most recent
    cache.set('c', 3, 1000);
    expect(cache.peek('b')).toEqual({ hit: false });
    expect([cache.peek('a').hit, cache.peek('c').hit, cache.size]).toEqual([true, true, 2]);
  });

  it('expires entries and drops them when read', () => {
    const clock = { ms: 0 };
    const cache = new LruTtlCache<string | undefined>({ maxEntries: 10, now: () => clock.ms });
    cache.set('gone', undefined, 100);
    expect(cache.peek('gone')).toEqual({ hit: true, value: undefined });
    clock.ms = 100;
    expect(cache.peek('gone')).toEqual({ hit: false });
    expect(cache.size).toBe(0);
  });

  it('does not cache a failed load, and shares a load in flight', async () => {
    const cache = new LruTtlCache<number>({ maxEntries: 10, now: () => 0 });
    let calls = 0;
    const failing = async (): Promise<number> => {
      calls++;
      throw new Error('boom');
    };
    await expect(cache.getOrLoad('x', failing, () => 1000)).rejects.toThrow('boom');
    await expect(
      cache.getOrLoad(
        'x',
        async () => ++calls,
        () => 1000,
      ),
    ).resolves.toBe(2);
    const loads = await Promise.all(
      [1, 2, 3].map(() =>
        cache.getOrLoad(
          'y',
          async () => ++calls,
          () => 1000,
        ),
      ),
    );
    expect(loads).toEqual([3, 3, 3]);
  });

  it('refuses a non-positive bound', () => {
    expect(() => new LruTtlCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
