import { CHAIN_MAX_DEFER_MS, chainStep } from './audit-chainer';

/**
 * When the chainer chains: once the log's writers pause, at the latest a second after it was asked.
 * Its timing (debounce, one run at a time, the tick, shutdown) is the CoalescingRunner's, tested in
 * common/coalescing-runner.spec.ts; the chaining itself runs on the real database in audit*.e2e-spec.ts.
 */
describe('the audit chainer’s schedule (chainStep)', () => {
  it('does nothing (no chaining transaction) when nothing is pending', () => {
    expect(chainStep(undefined, 0)).toBe('idle');
    expect(chainStep(undefined, CHAIN_MAX_DEFER_MS * 5)).toBe('idle');
  });

  it('chains at once when nothing else is being written', () => {
    expect(chainStep({ busy: false }, 0)).toBe('chain');
  });

  it('waits (looks again soon) while the log is being written…', () => {
    expect(chainStep({ busy: true }, 0)).toBe('wait');
    expect(chainStep({ busy: true }, CHAIN_MAX_DEFER_MS - 1)).toBe('wait');
  });

  it('…but at most a second, then chains anyway', () => {
    expect(CHAIN_MAX_DEFER_MS).toBe(1000);
    expect(chainStep({ busy: true }, CHAIN_MAX_DEFER_MS)).toBe('chain');
  });
});
