import { AfterAnswers } from '../../../adapters/local/inference/afterAnswers';

const nextImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AfterAnswers', () => {
  it('runs nothing at once, then everything deferred in order, in one pass', async () => {
    const after = new AfterAnswers();
    const done: number[] = [];
    for (let i = 0; i < 5; i++) after.defer(() => done.push(i));
    expect(done).toEqual([]);
    await nextImmediate();
    expect(done).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps going after work that throws and reports it', async () => {
    const errors: unknown[] = [];
    const after = new AfterAnswers((error) => errors.push(error));
    const done: string[] = [];
    after.defer(() => done.push('a'));
    after.defer(() => {
      throw new Error('boom');
    });
    after.defer(() => done.push('c'));
    await nextImmediate();
    expect(done).toEqual(['a', 'c']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });

  it('work deferred while draining runs in a later pass', async () => {
    const after = new AfterAnswers();
    const done: string[] = [];
    after.defer(() => {
      done.push('first');
      after.defer(() => done.push('second'));
    });
    await nextImmediate();
    expect(done).toEqual(['first']);
    await nextImmediate();
    expect(done).toEqual(['first', 'second']);
  });
});
