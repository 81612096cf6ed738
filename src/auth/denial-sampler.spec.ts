import { DenialSampler } from './denial-sampler';

describe('DenialSampler: the first refusal per key is audited, then one per window with the count skipped', () => {
  it('audits the first, skips the rest of the window, then audits one carrying the count', () => {
    const s = new DenialSampler(60_000);
    expect(s.take('ip:1', 0)).toBe(0);
    for (let t = 1; t <= 5; t++) expect(s.take('ip:1', t * 1000)).toBeNull();
    expect(s.take('ip:2', 6000)).toBe(0); // another key has its own window
    expect(s.take('ip:1', 60_000)).toBe(5);
    expect(s.take('ip:1', 60_001)).toBeNull();
    expect(s.take('ip:1', 200_000)).toBe(1);
  });

  it('stays bounded under a flood of keys', () => {
    const s = new DenialSampler(60_000, 100);
    for (let i = 0; i < 1000; i++) expect(s.take(`ip:${i}`, i)).toBe(0);
    expect((s as unknown as { seen: Map<string, unknown> }).seen.size).toBeLessThanOrEqual(100);
  });
});
