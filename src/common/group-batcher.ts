/** What a batch run gives back for each of its items, in order: a value, or the error for that item alone. */
export type BatchResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  key: string;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface GroupBatcherOptions<I> {
  /** At most this many items in one batch. */
  maxSize: number;
  /** At most this many batches running at once; calls made meanwhile wait and form the next batch. */
  maxInFlight: number;
  /** Two items with the same key never share a batch: the later one goes into a later batch (which may run alongside). */
  key: (item: I) => string;
}

/**
 * Merges concurrent calls into batches, the way PostgreSQL groups commits: a call waits for no timer.
 * Calls made in the same turn of the event loop start together; calls made while `maxInFlight` batches
 * run wait and start together when one ends. Batches are small when the load is light and grow with it.
 *
 * `run` gets the items of one batch and answers one result per item; if it throws, every item of the
 * batch gets that error.
 */
export class GroupBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<BatchResult<O>[]>,
    private readonly options: GroupBatcherOptions<I>,
  ) {
    if (options.maxSize < 1 || options.maxInFlight < 1) throw new RangeError('maxSize and maxInFlight must be at least 1');
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, key: this.options.key(item), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch (for tests and metrics). */
  get pending(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn, so the calls they make join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch: Waiting<I, O>[] = [];
      const keys = new Set<string>();
      const rest: Waiting<I, O>[] = [];
      for (const w of this.waiting) {
        if (batch.length < this.options.maxSize && !keys.has(w.key)) {
          batch.push(w);
          keys.add(w.key);
        } else {
          rest.push(w);
        }
      }
      this.waiting = rest;
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    let results: BatchResult<O>[];
    try {
      results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${results.length} results`);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const r = results[i];
      if (r.ok) w.resolve(r.value);
      else w.reject(r.error);
    });
  }
}

/** Runs a batch as one; if that throws, runs each item alone, so one bad item fails only itself. */
export async function eachOnFailure<I, O>(items: I[], many: (items: I[]) => Promise<O[]>): Promise<BatchResult<O>[]> {
  try {
    return (await many(items)).map((value) => ({ ok: true as const, value }));
  } catch (error) {
    if (items.length === 1) return [{ ok: false, error }];
    return Promise.all(
      items.map(async (item) => {
        try {
          const [value] = await many([item]);
          return { ok: true as const, value };
        } catch (e) {
          return { ok: false as const, error: e };
        }
      }),
    );
  }
}
