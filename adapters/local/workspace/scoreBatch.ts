import { request } from 'node:http';
import { z } from 'zod';
import type { ScoreRequest, ScoreResponse } from '../../../shared/ports';
import { loadDeploymentSpec } from '../inference/loadDeploymentSpec';
import { ScoringProcess } from '../inference/scoringProcess';
import { ScoringError } from './workspaceErrors';

const ScoreResponseSchema = z.looseObject({
  predictions: z.array(z.unknown()),
  probabilities: z.array(z.array(z.number())).optional(),
  classes: z.array(z.unknown()).optional(),
});

/** Batch scoring is not an online request: evaluation sets may take far longer than request_timeout_ms. */
const BATCH_TIMEOUT_MS = 10 * 60_000;

/**
 * Scores rows with a model outside any endpoint: a temporary scoring server (the same
 * one deployments run) for the model folder, one POST /score, then the server is stopped.
 */
export async function scoreBatch(modelDir: string, modelLabel: string, specPath: string, body: ScoreRequest): Promise<ScoreResponse> {
  const spec = await loadDeploymentSpec(specPath);
  const server = new ScoringProcess(
    {
      label: `batch scoring of ${modelLabel}`,
      scriptPath: spec.scriptPath,
      codeDir: spec.codeDir,
      modelDir,
      environmentVariables: spec.spec.environment_variables,
      liveness: spec.spec.liveness_probe,
    },
    { restart: false },
  );
  const fail = (message: string) => new ScoringError(modelLabel, spec.scriptPath, message);
  try {
    try {
      await server.start();
    } catch (error) {
      throw fail((error as Error).message);
    }
    const answer = await post(`${server.url}/score`, JSON.stringify(body)).catch((error: Error) => {
      throw fail(`the scoring server did not answer: ${error.message}`);
    });
    if (answer.status !== 200) throw fail(`status ${answer.status}: ${answer.body.slice(0, 500)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw fail(`the answer is not JSON: ${answer.body.slice(0, 500)}`);
    }
    const checked = ScoreResponseSchema.safeParse(parsed);
    if (!checked.success) {
      throw fail(`the answer needs a 'predictions' array (${checked.error.issues[0]?.message}): ${answer.body.slice(0, 500)}`);
    }
    return checked.data as ScoreResponse;
  } finally {
    await server.stop();
  }
}

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: BATCH_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${BATCH_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
