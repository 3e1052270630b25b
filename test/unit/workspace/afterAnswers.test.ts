import { AfterAnswers } from '../../../adapters/local/inference/afterAnswers';

describe('AfterAnswers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs nothing at once, then everything deferred in order when the batch is due', () => {
    const after = new AfterAnswers(undefined, 20);
    const done: number[] = [];
    for (let i = 0; i < 5; i++) after.defer(() => done.push(i));
    jest.advanceTimersByTime(19);
    expect(done).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(done).toEqual([0, 1, 2, 3, 4]);
  });

  it('flush() runs what is queued at once (readers call it), and the timer then finds nothing', () => {
    const after = new AfterAnswers(undefined, 20);
    const done: string[] = [];
    after.defer(() => done.push('a'));
    after.flush();
    expect(done).toEqual(['a']);
    jest.advanceTimersByTime(20);
    expect(done).toEqual(['a']);
    after.defer(() => done.push('b'));
    jest.advanceTimersByTime(20);
    expect(done).toEqual(['a', 'b']);
  });

  it('keeps going after work that throws and reports it', () => {
    const errors: unknown[] = [];
    const after = new AfterAnswers((error) => errors.push(error));
    const done: string[] = [];
    after.defer(() => done.push('a'));
    after.defer(() => {
      throw new Error('boom');
    });
    after.defer(() => done.push('c'));
    after.flush();
    expect(done).toEqual(['a', 'c']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });

  it('work deferred by deferred work runs in the same flush, after it', () => {
    const after = new AfterAnswers();
    const done: string[] = [];
    after.defer(() => {
      done.push('first');
      after.defer(() => done.push('second'));
    });
    after.flush();
    expect(done).toEqual(['first', 'second']);
  });
});
