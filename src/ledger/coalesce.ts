/**
 * Calls made in one event-loop turn (concurrent jobs of one worker process), sent to Redis as one
 * command: the ledger's `*_MANY` scripts. Each caller gets its own answer (or its own error); an
 * error of the whole command (connection, NOSCRIPT after a flush …) is every caller's error, as it
 * would have been for each of their own commands.
 */
export class Coalescer<I, O> {
  private batch: { items: I[]; waiters: { resolve(o: O): void; reject(e: unknown): void }[] } | undefined;

  /** `send` answers per item, in order: a value or an Error for that item. */
  constructor(private readonly send: (items: I[]) => Promise<(O | Error)[]>, private readonly max = 128) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let b = this.batch;
      if (!b) {
        const fresh: NonNullable<typeof this.batch> = { items: [], waiters: [] };
        this.batch = b = fresh;
        setImmediate(() => this.flush(fresh));
      }
      b.items.push(item);
      b.waiters.push({ resolve, reject });
      if (b.items.length >= this.max) this.flush(b);
    });
  }

  private flush(b: NonNullable<typeof this.batch>): void {
    if (this.batch === b) this.batch = undefined;
    if (b.items.length === 0) return;
    const { items, waiters } = b;
    b.items = [];
    b.waiters = [];
    let sent: Promise<(O | Error)[]>;
    try {
      sent = this.send(items);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then(
      (answers) => waiters.forEach((w, n) => {
        const a = answers[n];
        if (a === undefined) w.reject(new Error('ledger: no answer for a batched call'));
        else if (a instanceof Error) w.reject(a);
        else w.resolve(a);
      }),
      (e: unknown) => waiters.forEach((w) => w.reject(e)),
    );
  }
}
