import { CoalescingRunner, type CoalescingRunnerOptions } from './coalescing-runner';

/** A runner whose runs the test ends by hand; it records how many started and the most at once. */
function manual(opts: Partial<CoalescingRunnerOptions> = {}) {
  const runs: { end: () => void; fail: (e: Error) => void }[] = [];
  const errors: unknown[] = [];
  let active = 0;
  let mostAtOnce = 0;
  const runner = new CoalescingRunner({
    run: () =>
      new Promise<void>((resolve, reject) => {
        active += 1;
        mostAtOnce = Math.max(mostAtOnce, active);
        const done = () => (active -= 1);
        runs.push({ end: () => (done(), resolve()), fail: (e) => (done(), reject(e)) });
      }),
    onError: (err) => errors.push(err),
    everyMs: 1000,
    debounceMs: 50,
    ...opts,
  });
  return { runner, runs, errors, mostAtOnce: () => mostAtOnce };
}

describe('CoalescingRunner', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('soon() runs once, debounceMs after the first ask, however many asks come meanwhile', async () => {
    const { runner, runs } = manual();
    runner.soon();
    await jest.advanceTimersByTimeAsync(30);
    runner.soon();
    runner.soon();
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toHaveLength(1);
    runs[0].end();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(1);
    runner.soon(); // a new ask after the run: a new wait
    await jest.advanceTimersByTimeAsync(50);
    expect(runs).toHaveLength(2);
  });

  it('never runs twice at once: asks during a run make exactly one more run, right after it', async () => {
    const { runner, runs, mostAtOnce } = manual();
    runner.now();
    expect(runs).toHaveLength(1);
    runner.now();
    runner.now();
    runner.soon();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(1);
    runs[0].end();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(2);
    runs[1].end();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(2);
    expect(mostAtOnce()).toBe(1);
  });

  it('ticks every everyMs once started, through onTick when given', async () => {
    const { runner, runs } = manual();
    await jest.advanceTimersByTimeAsync(2500);
    expect(runs).toHaveLength(0); // not started
    runner.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(1);
    runs[0].end();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(2);
    runs[1].end();
    await runner.stop();

    const ticks: number[] = [];
    const other = manual({ onTick: () => ticks.push(Date.now()) });
    other.runner.start();
    await jest.advanceTimersByTimeAsync(3000);
    expect(ticks).toHaveLength(3);
    expect(other.runs).toHaveLength(0);
    await other.runner.stop();
  });

  it('hands a failed run to onError and runs again when next asked', async () => {
    const { runner, runs, errors } = manual();
    runner.now();
    runs[0].fail(new Error('database down'));
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([new Error('database down')]);
    runner.now();
    expect(runs).toHaveLength(2);
  });

  it('current() resolves when the run in progress ends', async () => {
    const { runner, runs } = manual();
    await runner.current(); // none in progress
    runner.now();
    let settled = false;
    const waiting = runner.current().then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    runs[0].end();
    await waiting;
    expect(settled).toBe(true);
  });

  it('stop() waits for the run in progress, then runs nothing more: no tick, ask or re-run', async () => {
    const { runner, runs } = manual();
    runner.start();
    runner.now();
    runner.now(); // would re-run after the first
    runner.soon();
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    runs[0].end();
    await stopping;
    runner.now();
    runner.soon();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(1);
  });
});
