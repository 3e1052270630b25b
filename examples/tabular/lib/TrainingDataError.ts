/** Training data the trainer refuses; train.ts exits with code 2 and prints the message. */
export class TrainingDataError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'TrainingDataError';
  }
}
