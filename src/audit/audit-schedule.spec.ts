import type { DataSource } from 'typeorm';
import { AuditService } from './audit.service';

/**
 * When the chainer runs: after the log's writers pause, at the latest a second after it was asked.
 * PostgreSQL is faked (the "is the newest pending event recent?" probe answers what the test says) and
 * the clock is Jest's, so the schedule is checked exactly; the chaining itself is in audit.e2e-spec.ts.
 */
function setup() {
  const state = { busy: true, pending: true, probes: 0 };
  const client = {
    query: jest.fn(() => {
      state.probes += 1;
      return Promise.resolve({ rows: state.pending ? [{ busy: state.busy }] : [] });
    }),
  };
  const runner = { connect: () => Promise.resolve(client), release: () => Promise.resolve() }; // what database/prepared.ts borrows
  const audit = new AuditService({ createQueryRunner: () => runner, options: {} } as unknown as DataSource);
  const chainAll = jest.spyOn(audit as unknown as { chainAll: () => Promise<void> }, 'chainAll').mockResolvedValue();
  return { state, audit, chainAll };
}

describe('AuditService chaining schedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('chains moments after a write when nothing else is being written', async () => {
    const { state, audit, chainAll } = setup();
    state.busy = false;
    audit.chainSoon();
    await jest.advanceTimersByTimeAsync(40);
    expect(chainAll).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(20);
    expect(chainAll).toHaveBeenCalledTimes(1);
  });

  it('waits while the log is being written, and chains once the writes pause', async () => {
    const { state, audit, chainAll } = setup();
    audit.chainSoon();
    await jest.advanceTimersByTimeAsync(400);
    expect(chainAll).not.toHaveBeenCalled();
    expect(state.probes).toBeGreaterThanOrEqual(6); // it kept looking, every 50 ms
    state.busy = false;
    await jest.advanceTimersByTimeAsync(60);
    expect(chainAll).toHaveBeenCalledTimes(1);
  });

  it('waits at most a second under steady writes, then chains anyway, and waits again after', async () => {
    const { audit, chainAll } = setup();
    audit.chainSoon();
    await jest.advanceTimersByTimeAsync(950);
    expect(chainAll).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(150);
    expect(chainAll).toHaveBeenCalledTimes(1);
    // A new ask starts a new wait of at most a second.
    audit.chainSoon();
    await jest.advanceTimersByTimeAsync(900);
    expect(chainAll).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(chainAll).toHaveBeenCalledTimes(2);
  });

  it('does nothing (no chaining transaction) when nothing is pending', async () => {
    const { state, audit, chainAll } = setup();
    state.pending = false;
    audit.chainSoon();
    await jest.advanceTimersByTimeAsync(100);
    expect(state.probes).toBe(1);
    expect(chainAll).not.toHaveBeenCalled();
  });

  it('flush (auditor reads) chains at once, however busy the log is', async () => {
    const { audit, chainAll } = setup();
    await audit.flush();
    expect(chainAll).toHaveBeenCalledTimes(1);
  });
});
