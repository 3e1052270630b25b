import { request } from 'node:http';
import type { ModelFormat, ScoreRequest, ScoreResponse } from '../../../shared/ports';
import { readScoringAnswer } from '../../../shared/scoring/scoringAnswer';
import { loadDeploymentSpec } from '../inference/loadDeploymentSpec';
import { noCodeDeploymentProblem } from '../../../shared/jobs/deploymentSpec';
import { ScoringProcess } from '../inference/scoringProcess';
import { ScoringError } from './workspaceErrors';
import { ensureError } from '../../../shared/errors';

/** How errors name the scorer of an MLflow model deployed without a scoring script. */
const NO_CODE = 'its MLflow model (no scoring script)';

/** Batch scoring is not an online request: evaluation sets may take far longer than request_timeout_ms. */
const BATCH_TIMEOUT_MS = 10 * 60_000;

export interface BatchScoringServersOptions {
  /** A server nobody asked to score for this long is stopped (finishedScoring was missed). @default 120000 */
  idleMs?: number;
}

interface Server {
  process: ScoringProcess;
  scriptPath: string;
  idle?: NodeJS.Timeout;
}

/**
 * Scores rows with a model outside any endpoint: a scoring server (the same one
 * deployments run) for the model folder. One server serves every batch of an
 * evaluation — starting one per 5,000 rows made a large holdout take minutes — until
 * `finished` (LocalBatchScoring.finishedScoring), or until it sits idle.
 */
export class BatchScoringServers {
  private readonly servers = new Map<string, Promise<Server>>();

  constructor(private readonly options: BatchScoringServersOptions = {}) {}

  async score(
    modelDir: string,
    modelLabel: string,
    specPath: string,
    body: ScoreRequest,
    options: { signal?: AbortSignal; format?: ModelFormat } = {},
  ): Promise<ScoreResponse> {
    options.signal?.throwIfAborted();
    const key = `${modelDir}\u0000${specPath}`;
    const pending = this.server(key, modelDir, modelLabel, specPath, options.format ?? 'custom_model');
    const server = await pending;
    const fail = (message: string) => new ScoringError(modelLabel, server.scriptPath, message);
    clearTimeout(server.idle);
    try {
      const url = server.process.url;
      if (!url) throw fail('the scoring server stopped between batches');
      const answer = await post(`${url}/score`, JSON.stringify(body), options.signal).catch((error: Error) => {
        if (options.signal?.aborted) throw error;
        throw fail(`the scoring server did not answer: ${error.message}`);
      });
      if (answer.status !== 200) throw fail(`status ${answer.status}: ${answer.body.slice(0, 500)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        throw fail(`the answer is not JSON: ${answer.body.slice(0, 500)}`);
      }
      try {
        return readScoringAnswer(parsed);
      } catch (error) {
        throw fail(`${ensureError(error).message}: ${answer.body.slice(0, 500)}`);
      }
    } catch (error) {
      // A server that died or failed mid-request is not reused for the next batch.
      if (!server.process.url) await this.finished(modelDir);
      throw error;
    } finally {
      if (this.servers.get(key) === pending) this.armIdle(key, pending, server);
    }
  }

  /** Stops the servers scoring `modelDir` (every spec). */
  async finished(modelDir: string): Promise<void> {
    const prefix = `${modelDir}\u0000`;
    const stopping = [...this.servers.entries()].filter(([key]) => key.startsWith(prefix));
    for (const [key] of stopping) this.servers.delete(key);
    await Promise.all(
      stopping.map(([, server]) =>
        server.then(
          (s) => (clearTimeout(s.idle), s.process.stop()),
          () => undefined,
        ),
      ),
    );
  }

  /** Stops every server (the workspace stops). */
  async stop(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(
      all.map((server) =>
        server.then(
          (s) => (clearTimeout(s.idle), s.process.stop()),
          () => undefined,
        ),
      ),
    );
  }

  /** The number of servers running or starting (tests and diagnostics). */
  get running(): number {
    return this.servers.size;
  }

  private server(key: string, modelDir: string, modelLabel: string, specPath: string, format: ModelFormat): Promise<Server> {
    let server = this.servers.get(key);
    if (!server) {
      server = this.launch(modelDir, modelLabel, specPath, format);
      this.servers.set(key, server);
      // A server that never came up is not cached: the next batch tries again.
      server.catch(() => this.servers.get(key) === server && this.servers.delete(key));
    }
    return server;
  }

  private async launch(modelDir: string, modelLabel: string, specPath: string, format: ModelFormat): Promise<Server> {
    const spec = await loadDeploymentSpec(specPath);
    const noCode = spec.scriptPath ? undefined : noCodeDeploymentProblem(spec.specPath, modelLabel, format);
    if (noCode) throw new ScoringError(modelLabel, NO_CODE, noCode);
    const process = new ScoringProcess(
      {
        label: `batch scoring of ${modelLabel}`,
        scriptPath: spec.scriptPath,
        codeDir: spec.codeDir,
        modelDir,
        environmentVariables: spec.spec.environment_variables,
        liveness: spec.spec.liveness_probe,
        scoringTimeoutMs: BATCH_TIMEOUT_MS,
      },
      { restart: false },
    );
    try {
      await process.start();
    } catch (error) {
      await process.stop();
      throw new ScoringError(modelLabel, spec.scriptPath ?? NO_CODE, ensureError(error).message);
    }
    return { process, scriptPath: spec.scriptPath ?? NO_CODE };
  }

  private armIdle(key: string, pending: Promise<Server>, server: Server): void {
    clearTimeout(server.idle);
    server.idle = setTimeout(() => {
      if (this.servers.get(key) !== pending) return;
      this.servers.delete(key);
      void server.process.stop();
    }, this.options.idleMs ?? 120_000);
    server.idle.unref();
  }
}

function post(url: string, body: string, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: BATCH_TIMEOUT_MS, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${BATCH_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
