/**
 * Work that must follow an answer but must not hold it up (traffic records, reading the
 * predictions, inference collection, shadow tallies): queued, and run in one go once the
 * event loop has written what it was writing (setImmediate runs after the poll phase, whose
 * callbacks send the answers, and before any later request is read). Order is kept, so
 * counts stay exact; a caller that got its answer and then asks for the counts sees them.
 */
export class AfterAnswers {
  private queue: (() => void)[] = [];
  private scheduled = false;

  constructor(
    /** Told of work that threw: one failed record must not stop the others. */
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  defer(work: () => void): void {
    this.queue.push(work);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
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
