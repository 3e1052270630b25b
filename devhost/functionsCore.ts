import Module from 'node:module';
import { FunctionRegistrationError } from './errors';
import type { LogLevel } from './logger';

/** One binding as `@azure/functions` hands it over in `metadata.bindings` (keyed by name). */
export interface CoreBinding {
  type: string;
  direction: 'in' | 'out' | string;
  [setting: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  /** Name of the trigger binding (e.g. `httpTrigger1`). */
  triggerName: string;
  trigger: CoreBinding;
  bindings: Record<string, CoreBinding>;
  /** The user's handler itself: `(input, context) => result`. */
  handler: (...args: unknown[]) => unknown;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
/** The library wraps our plain core context object in its own *Context classes. */
export type CoreHookCallback = (coreContext: Record<string, unknown>) => unknown;

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: unknown;
}

/**
 * What `@azure/functions` finds when it requires `@azure/functions-core`: it records
 * function registrations and hooks so the host can run them. Mirrors the real worker's
 * core API (registerFunction, registerHook, setProgrammingModel, log).
 */
export class FunctionsCore {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks: Record<HookName, Set<CoreHookCallback>> = {
    appStart: new Set(),
    appTerminate: new Set(),
    preInvocation: new Set(),
    postInvocation: new Set(),
    log: new Set(),
  };
  programmingModel: { name?: string; version?: string } | undefined;
  private locked = false;

  constructor(private readonly systemLog: (level: LogLevel, message: string) => void = () => {}) {}

  registerFunction(metadata: CoreFunctionMetadata, handler: (...args: unknown[]) => unknown): void {
    const name = metadata.name;
    if (this.locked) {
      throw new FunctionRegistrationError(name, 'functions must be registered while the entry module loads, not later');
    }
    if (this.functions.has(name.toLowerCase())) {
      throw new FunctionRegistrationError(name, 'a function with this name is already registered; names must be unique');
    }
    const triggerEntry = Object.entries(metadata.bindings).find(([, b]) => /trigger$/i.test(b.type));
    if (!triggerEntry) throw new FunctionRegistrationError(name, 'has no trigger binding');
    const [triggerName, trigger] = triggerEntry;
    this.functions.set(name.toLowerCase(), { name, triggerName, trigger, bindings: metadata.bindings, handler });
  }

  registerHook(hookName: string, callback: CoreHookCallback): { dispose(): void } {
    if (!(hookName in this.hooks)) {
      throw new RangeError(`Unknown hook '${hookName}'`);
    }
    const set = this.hooks[hookName as HookName];
    set.add(callback);
    return { dispose: () => void set.delete(callback) };
  }

  setProgrammingModel(model: { name?: string; version?: string }): void {
    this.programmingModel = model;
  }

  log(level: LogLevel, _category: string, message: string): void {
    this.systemLog(level, message);
  }

  /** Ends the registration phase, as the real host does once the app has loaded. */
  lock(): void {
    this.locked = true;
  }

  find(name: string): RegisteredFunction | undefined {
    return this.functions.get(name.toLowerCase());
  }

  byTrigger(type: string): RegisteredFunction[] {
    return [...this.functions.values()].filter((f) => f.trigger.type.toLowerCase() === type.toLowerCase());
  }
}

const CORE_MODULE_ID = '@azure/functions-core';
let current: FunctionsCore | undefined;
let installed = false;

/**
 * Makes `require('@azure/functions-core')` return a core that forwards to `core`.
 * `@azure/functions` looks the module up once and caches the object, so we hand it a
 * stable forwarder and swap the target, which lets a process load an app a second time.
 * Must run before the functions entry module makes its first `app.*` call.
 */
export function installFunctionsCore(core: FunctionsCore): void {
  current = core;
  if (installed) return;
  installed = true;
  const target = (): FunctionsCore => {
    if (!current) throw new Error('No local Functions host is running in this process');
    return current;
  };
  const forwarder = {
    registerFunction: (m: CoreFunctionMetadata, h: (...args: unknown[]) => unknown) => target().registerFunction(m, h),
    registerHook: (n: string, cb: CoreHookCallback) => target().registerHook(n, cb),
    setProgrammingModel: (m: { name?: string; version?: string }) => target().setProgrammingModel(m),
    log: (level: LogLevel, category: string, message: string) => target().log(level, category, message),
  };
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  // Same mechanism as the real Node.js worker: intercept the one module id, pass the rest through.
  proto.require = new Proxy(proto.require, {
    apply(original, thisArg, args: [string]) {
      if (args[0] === CORE_MODULE_ID) return forwarder;
      return Reflect.apply(original, thisArg, args);
    },
  });
}
