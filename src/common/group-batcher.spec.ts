import { type BatchResult, eachOnFailure, GroupBatcher } from './group-batcher';

/** A batch runner whose batches the test ends by hand, recording what each batch held. */
function manual() {
  const batches: { items: string[]; end: (results?: BatchResult<string>[]) => void; fail: (e: Error) => void }[] = [];
  const run = (items: string[]) =>
    new Promise<BatchResult<string>[]>((resolve, reject) => {
      batches.push({ items, end: (results) => resolve(results ?? items.map((i) => ({ ok: true, value: i.toUpperCase() }))), fail: reject });
    });
  return { batches, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupBatcher', () => {
  it('starts the calls of one turn together, and those made meanwhile together once a batch ends', async () => {
    const m = manual();
    const b = new GroupBatcher<string, string>(m.run, { maxSize: 10, maxInFlight: 1, key: (x) => x });
    const first = ['a', 'b', 'c'].map((x) => b.call(x));
    await tick();
    expect(m.batches.map((x) => x.items)).toEqual([['a', 'b', 'c']]);
    const later = ['d', 'e'].map((x) => b.call(x));
    await tick();
    expect(m.batches).toHaveLength(1); // one in flight at most
    expect(b.pending).toBe(2);
    m.batches[0].end();
    expect(await Promise.all(first)).toEqual(['A', 'B', 'C']);
    await tick();
    expect(m.batches.map((x) => x.items)).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    m.batches[1].end();
    expect(await Promise.all(later)).toEqual(['D', 'E']);
  });

  it('caps a batch at maxSize, runs up to maxInFlight at once, and never puts one key twice in a batch', async () => {
    const m = manual();
    const b = new GroupBatcher<string, string>(m.run, { maxSize: 2, maxInFlight: 2, key: (x) => x });
    const calls = ['a', 'a', 'b', 'c', 'd'].map((x) => b.call(x));
    await tick();
    expect(m.batches.map((x) => x.items)).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
    m.batches[0].end();
    m.batches[1].end();
    await tick();
    await tick();
    expect(m.batches.map((x) => x.items)[2]).toEqual(['d']);
    m.batches[2].end();
    expect(await Promise.all(calls)).toEqual(['A', 'A', 'B', 'C', 'D']);
  });

  it('gives each call its own result or error, and every call of a batch that throws its error', async () => {
    const m = manual();
    const b = new GroupBatcher<string, string>(m.run, { maxSize: 10, maxInFlight: 1, key: (x) => x });
    const one = [b.call('ok'), b.call('bad')];
    await tick();
    m.batches[0].end([
      { ok: true, value: 'fine' },
      { ok: false, error: new Error('only this one') },
    ]);
    await expect(one[0]).resolves.toBe('fine');
    await expect(one[1]).rejects.toThrow('only this one');

    const two = [b.call('x'), b.call('y')];
    await tick();
    m.batches[1].fail(new Error('whole batch'));
    await expect(two[0]).rejects.toThrow('whole batch');
    await expect(two[1]).rejects.toThrow('whole batch');

    // A runner that answers the wrong number of results fails its batch rather than leaving calls hanging.
    const three = b.call('z');
    await tick();
    m.batches[2].end([]);
    await expect(three).rejects.toThrow('batch of 1 answered 0 results');
  });

  it('refuses a size or concurrency below one', () => {
    expect(() => new GroupBatcher(() => Promise.resolve([]), { maxSize: 0, maxInFlight: 1, key: String })).toThrow(RangeError);
    expect(() => new GroupBatcher(() => Promise.resolve([]), { maxSize: 1, maxInFlight: 0, key: String })).toThrow(RangeError);
  });
});

describe('eachOnFailure', () => {
  it('runs the batch once when it succeeds', async () => {
    const many = jest.fn((xs: number[]) => Promise.resolve(xs.map((x) => x * 2)));
    expect(await eachOnFailure([1, 2, 3], many)).toEqual([2, 4, 6].map((value) => ({ ok: true, value })));
    expect(many).toHaveBeenCalledTimes(1);
  });

  it('runs each item alone when the batch fails, so only the bad item fails', async () => {
    const many = jest.fn((xs: number[]) => (xs.includes(2) ? Promise.reject(new Error('two is bad')) : Promise.resolve(xs.map((x) => x * 2))));
    const results = await eachOnFailure([1, 2, 3], many);
    expect(results[0]).toEqual({ ok: true, value: 2 });
    expect(results[1]).toMatchObject({ ok: false, error: expect.objectContaining({ message: 'two is bad' }) });
    expect(results[2]).toEqual({ ok: true, value: 6 });
    expect(many).toHaveBeenCalledTimes(4);
  });

  it('does not run a single failing item twice', async () => {
    const many = jest.fn(() => Promise.reject(new Error('no')));
    expect(await eachOnFailure([1], many)).toMatchObject([{ ok: false }]);
    expect(many).toHaveBeenCalledTimes(1);
  });
});
