/**
 * Which throttled attempts to audit one by one. A client refused by the login throttle can keep asking
 * for nothing but a 429; writing each refusal into the append-only log would let one anonymous address
 * add hundreds of permanent rows a second. So per key the first refusal is audited, then at most one per
 * window, carrying how many were answered 429 without an event of their own since the last one.
 * Per process and in memory (bounded): several API processes each audit their own first refusal.
 */
export class DenialSampler {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Null when this refusal goes unaudited; otherwise how many went unaudited before it. */
  take(key: string, now: number): number | null {
    const last = this.seen.get(key);
    if (last && now - last.at < this.windowMs) {
      last.suppressed += 1;
      return null;
    }
    if (!last && this.seen.size >= this.maxKeys) this.forget(now);
    this.seen.set(key, { at: now, suppressed: 0 });
    return last?.suppressed ?? 0;
  }

  /** Drops keys whose window has passed; if all are recent (a flood of addresses), starts afresh. */
  private forget(now: number): void {
    for (const [key, v] of this.seen) if (now - v.at >= this.windowMs) this.seen.delete(key);
    if (this.seen.size >= this.maxKeys) this.seen.clear();
  }
}
