import type { EnvironmentName } from '../../../shared/config/schema';
import { NotFoundError } from '../../../shared/errors';
import type {
  BatchScoring,
  ModelFormat,
  ModelRegistry,
  ModelSource,
  ScoreRequest,
  ScoreResponse,
  TrainingJobs,
} from '../../../shared/ports';
import { completedJobOutput } from './jobOutput';
import { BatchScoringServers, type BatchScoringServersOptions } from './scoreBatch';

export interface LocalBatchScoringOptions extends BatchScoringServersOptions {
  environment: EnvironmentName;
  /** Where `{job, output}` sources are found. */
  jobs: Pick<TrainingJobs, 'getJob'>;
  /** Where `{name, version}` sources are found. */
  models: Pick<ModelRegistry, 'getModel'>;
}

/** Scores rows with a job output or registered model of this environment, by its folder (see BatchScoringServers). */
export class LocalBatchScoring implements BatchScoring {
  private readonly servers: BatchScoringServers;

  constructor(private readonly options: LocalBatchScoringOptions) {
    this.servers = new BatchScoringServers(options.idleMs === undefined ? {} : { idleMs: options.idleMs });
  }

  async scoreBatch(
    source: ModelSource,
    specPath: string,
    request: ScoreRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<ScoreResponse> {
    const { dir, label, format } = await this.scoringSource(source);
    return this.servers.score(dir, label, specPath, request, { ...options, format });
  }

  /** Stops the scoring server scoreBatch kept for `source`. */
  async finishedScoring(source: ModelSource): Promise<void> {
    const { dir } = await this.scoringSource(source).catch(() => ({ dir: undefined }));
    if (dir) await this.servers.finished(dir);
  }

  /** Stops every scoring server (the workspace stops). */
  stop(): Promise<void> {
    return this.servers.stop();
  }

  private async scoringSource(source: ModelSource): Promise<{ dir: string; label: string; format: ModelFormat }> {
    const { environment, jobs, models } = this.options;
    if ('job' in source) {
      const output = await completedJobOutput(jobs, environment, source.job, source.output);
      return { dir: output.path, label: `output '${source.output}' of job ${source.job}`, format: source.format ?? 'custom_model' };
    }
    const model = await models.getModel(source);
    if (!model) throw new NotFoundError('model', `${source.name}:${source.version}`, `no such version in ${environment}`);
    return { dir: model.path, label: `model ${model.name}:${model.version}`, format: model.format ?? 'custom_model' };
  }
}
