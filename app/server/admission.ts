/**
 * Admission control: at most `limit` tasks run at once, the rest wait their turn in
 * arrival order (FIFO), and every task runs; none is dropped or refused.
 *
 * The server puts the API's writes of one process behind one of these (API_MAX_IN_FLIGHT).
 * A write holds a pooled connection for its transactions and puts a callback on the event
 * loop at every round trip: with 25 in flight in a process (50 clients, two processes),
 * each step of a console page view waited behind all of theirs and its queries behind
 * their transactions. A handful in flight keep the cores just as busy (a payment is a few
 * milliseconds of CPU and a few round trips), and the others wait here, before any work
 * was done for them, rather than as half-done requests holding connections.
 */
export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  /** `limit` 0: no limit (every task runs at once). */
  constructor(readonly limit: number) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for their turn. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `task` once fewer than `limit` run, after every task that came before it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.limit > 0) {
      if (this.running < this.limit) this.running++;
      // A freed place is handed to the first waiting task (running stays the same), so a
      // newcomer never overtakes one that waits.
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      if (this.limit > 0) this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else this.running--;
  }
}
