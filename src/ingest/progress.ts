/**
 * Progress of `kntc enqueue` on stderr, hand-written (a bar package would be one more
 * dependency for twenty lines): a redrawn bar when stderr is a terminal, otherwise a
 * plain line at most every `everyMs` (logs of cron jobs and CI stay readable).
 */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class Progress {
  #done = 0;
  #lastDraw = -Infinity;
  #drawn = -1;
  #label = '';
  constructor(
    private readonly total: number,
    private readonly out: ProgressStream = process.stderr,
    private readonly everyMs = 2000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  update(done: number, label = this.#label): void {
    this.#done = done;
    this.#label = label;
    const t = this.now();
    const interval = this.tty ? 80 : this.everyMs;
    if (t - this.#lastDraw < interval && done < this.total) return;
    this.#lastDraw = t;
    this.#draw();
  }

  /** Final state; ends the bar's line on a terminal. */
  finish(): void {
    if (this.#drawn !== this.#done) this.#draw();
    if (this.tty) this.out.write('\n');
  }

  #draw(): void {
    this.#drawn = this.#done;
    const pct = this.total ? Math.floor((this.#done / this.total) * 100) : 100;
    const counts = `${this.#done}/${this.total} bản ghi (${pct}%)`;
    if (this.tty) {
      const width = 24;
      const filled = this.total ? Math.round((this.#done / this.total) * width) : width;
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts} ${this.#label}`;
      const cols = this.out.columns ?? 100;
      this.out.write('\r' + line.slice(0, Math.max(20, cols - 1)).padEnd(Math.max(20, cols - 1)));
    } else {
      this.out.write(`kntc enqueue: ${counts}${this.#label ? ' — ' + this.#label : ''}\n`);
    }
  }
}
