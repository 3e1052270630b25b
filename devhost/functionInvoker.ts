import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { EffectiveFunctionOptions, FunctionInput, FunctionOutput, FunctionTrigger, RetryContext } from '@azure/functions';
import { ensureError } from '../shared/errors';
import { FunctionTimeoutError } from './errors';
import type { FunctionsCore, RegisteredFunction } from './functionsCore';
import { formatLogArgs, type HostLogger, type LogLevel } from './logger';

export interface InvokeOptions {
  triggerMetadata?: Record<string, unknown>;
  retryContext?: RetryContext;
  /** Why the host runs it, for the "Executing" log line (e.g. "New queue message detected"). */
  reason?: string;
}

export interface InvocationOutcome {
  invocationId: string;
  context: InvocationContext;
  result: unknown;
}

/**
 * Runs a registered handler the way the Node.js worker does: builds the
 * InvocationContext, runs preInvocation hooks (which may swap inputs or the handler),
 * the handler (bounded by host.json functionTimeout), then postInvocation hooks (which
 * may replace the result or the error). Throws the handler's error.
 */
export class FunctionInvoker {
  constructor(
    private readonly core: FunctionsCore,
    private readonly logger: HostLogger,
    private readonly functionTimeoutMs: number | undefined,
  ) {}

  async invoke(fn: RegisteredFunction, input: unknown, options: InvokeOptions = {}): Promise<InvocationOutcome> {
    const invocationId = randomUUID();
    const log = this.logger.child({ functionName: fn.name, invocationId });
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      triggerMetadata: options.triggerMetadata,
      retryContext: options.retryContext,
      options: effectiveOptions(fn),
      logHandler: (level: LogLevel, ...args: unknown[]) => this.userLog(log, context, level, formatLogArgs(args)),
    });
    const started = Date.now();
    log.info(`Executing 'Functions.${fn.name}' (Reason='${options.reason ?? 'invoked by the host'}', Id=${invocationId})`);
    const hookData: Record<string, unknown> = {};
    const pre: Record<string, unknown> = { hookData, invocationContext: context, inputs: [input], functionCallback: fn.handler };
    let result: unknown;
    let error: unknown;
    try {
      for (const hook of this.core.hooks.preInvocation) await hook(pre);
      const handler = pre['functionCallback'] as (...args: unknown[]) => unknown;
      const inputs = pre['inputs'] as unknown[];
      result = await this.withTimeout(
        fn.name,
        Promise.resolve().then(() => handler(...inputs, context)),
      );
    } catch (caught) {
      error = caught;
    }
    const post: Record<string, unknown> = { hookData, invocationContext: context, inputs: pre['inputs'], result, error };
    try {
      for (const hook of this.core.hooks.postInvocation) await hook(post);
    } catch (hookError) {
      post['error'] = hookError;
    }
    const duration = Date.now() - started;
    if (post['error'] !== undefined && post['error'] !== null) {
      const failure = ensureError(post['error']);
      log.error(
        `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${duration}ms): ${failure.stack ?? failure.message}`,
      );
      throw failure;
    }
    log.info(`Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${duration}ms)`);
    return { invocationId, context, result: post['result'] };
  }

  /** Log hooks (app.hook.log) may rewrite a user log line's level or message before it is written. */
  private userLog(log: HostLogger, context: InvocationContext, level: LogLevel, message: string): void {
    const hookContext: Record<string, unknown> = { hookData: {}, level, message, category: 'user', invocationContext: context };
    for (const hook of this.core.hooks.log) {
      try {
        hook(hookContext);
      } catch (error) {
        log.warn(`A log hook threw: ${ensureError(error).message}`);
      }
    }
    log.log(hookContext['level'] as LogLevel, String(hookContext['message']), { category: 'user' });
  }

  private withTimeout<T>(functionName: string, work: Promise<T>): Promise<T> {
    const limit = this.functionTimeoutMs;
    if (limit === undefined) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeoutError(functionName, limit)), limit);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

/** `context.options` as the worker builds it from the registration's bindings. */
function effectiveOptions(fn: RegisteredFunction): EffectiveFunctionOptions {
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  let returnBinding: FunctionOutput | undefined;
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (name === fn.triggerName) continue;
    const withName = { ...binding, name } as unknown as FunctionOutput;
    if (name === '$return') returnBinding = withName;
    else if (binding.direction === 'in') extraInputs.push(withName as FunctionInput);
    else extraOutputs.push(withName);
  }
  return {
    trigger: { ...fn.trigger, name: fn.triggerName } as FunctionTrigger,
    return: returnBinding,
    extraInputs,
    extraOutputs,
  };
}
