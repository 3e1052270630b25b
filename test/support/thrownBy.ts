/** The error `read` throws, checked to be a `type`; fails the test when it throws nothing. */
export function thrownBy<E extends Error>(read: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}`);
}
