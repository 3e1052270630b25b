import type { Command } from 'commander';
import { ApiClient } from './apiClient';
import type { CliIo } from './io';
import { resolveApiSettings, resolveStateDir, type GlobalOptions } from './settings';

/** What every command needs: the process edges and the API client its flags describe. */
export class CommandContext {
  /** Set by commands whose exit code is not just success/failure (`start` mirrors the stack's). */
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  api(command: Command): ApiClient {
    return new ApiClient(resolveApiSettings(this.globals(command), this.io.env, this.io.cwd));
  }

  stateDir(command: Command): string {
    return resolveStateDir(this.globals(command), this.io.env, this.io.cwd);
  }
}
