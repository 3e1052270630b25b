/** @default batch interval: bookkeeping of the answers of about this long runs in one go. */
export const AFTER_ANSWERS_BATCH_MS = 20;

/**
 * Work that must follow an answer but must not hold up any answer (traffic records, reading
 * the predictions, inference collection, shadow tallies): queued, and run in one go every
 * `batchMs`. Run at once after each answer, it would still sit between that answer and the
 * next request read (a caller sending one request after another waits for it); in batches it
 * runs while the router waits on scoring servers, and costs less per request (warm code, one
 * timer). Order is kept; readers of what the work produces call `flush()` first, so counts
 * stay exact and a caller that got its answer finds it counted.
 */
export class AfterAnswers {
  private queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Told of work that threw: one failed record must not stop the others. */
    private readonly onError: (error: unknown) => void = () => {},
    private readonly batchMs: number = AFTER_ANSWERS_BATCH_MS,
  ) {}

  defer(work: () => void): void {
    this.queue.push(work);
    // Unref'd: pending bookkeeping never keeps a process alive; stop() flushes it.
    this.timer ??= setTimeout(() => this.flush(), this.batchMs).unref();
  }

  /** Runs everything queued now, in order. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const queued = this.queue;
      this.queue = [];
      for (const work of queued) {
        try {
          work();
        } catch (error) {
          this.onError(error);
        }
      }
    }
  }
}
