/** What a {@link CoalescingRunner} runs, and when. */
export interface CoalescingRunnerOptions {
  /** The task. It never runs twice at once. */
  run: () => Promise<void>;
  /** Gets what `run` threw; the runner carries on (the next ask or tick runs it again). */
  onError: (err: unknown) => void;
  /** Period of the tick that `start()` sets going. */
  everyMs: number;
  /** What each tick does (default: `now()`). */
  onTick?: () => void;
  /** How long `soon()` waits before it runs the task (default 0). */
  debounceMs?: number;
}

/**
 * Runs one background task in this process: soon after it is asked (debounced), never two runs at
 * once (an ask during a run makes one more run right after it, however many asks came), and on a
 * periodic tick; `stop()` refuses new runs and waits for the current one. The audit chainer and the
 * outbox relay both run on one of these, in the API and in the worker.
 */
export class CoalescingRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private soonTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;

  constructor(private readonly opts: CoalescingRunnerOptions) {}

  /** Starts (or restarts) the periodic tick; it does not keep the process alive. */
  start(): void {
    if (this.stopped) return;
    clearInterval(this.tickTimer);
    this.tickTimer = setInterval(() => (this.opts.onTick ?? (() => this.now()))(), this.opts.everyMs);
    this.tickTimer.unref();
  }

  /** Runs the task after `debounceMs`: one timer however often this is called meanwhile. */
  soon(): void {
    if (this.soonTimer || this.stopped) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.now();
    }, this.opts.debounceMs ?? 0);
    this.soonTimer.unref();
  }

  /** Runs the task now, or once more right after the run in progress. */
  now(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.opts
      .run()
      .catch((err: unknown) => this.opts.onError(err))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.now();
        }
      });
  }

  /** Resolves when the run in progress (if any) ends. */
  async current(): Promise<void> {
    await this.running;
  }

  /** No more runs (ticks, asks and re-runs are dropped); resolves once the run in progress ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.soonTimer);
    await this.running;
  }
}
