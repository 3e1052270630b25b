import { FunctionsCore } from '../../devhost/functionsCore';

/**
 * Stands in for `@azure/functions-core`, the module the Functions worker provides, with our
 * local host's core: the unchanged function modules then register into `core`. Call it
 * before the first function module is required.
 */
export function mockFunctionsCore(core = new FunctionsCore()): FunctionsCore {
  jest.doMock(
    '@azure/functions-core',
    () => ({
      registerFunction: (m: never, h: never) => core.registerFunction(m, h),
      registerHook: (n: string, cb: never) => core.registerHook(n, cb),
      setProgrammingModel: (m: never) => core.setProgrammingModel(m),
      log: () => undefined,
    }),
    { virtual: true },
  );
  return core;
}
