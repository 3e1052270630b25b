import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, BadRequestError } from '../../../shared/errors';
import type { ModelLineage, ModelRef, ModelRegistry, ModelVersion, RegisterModelRequest } from '../../../shared/ports';
import { hashFolder } from './hashFolder';
import { KeyedMutex } from './keyedMutex';
import { ModelRecord, asModelVersion } from './modelRecord';
import { validateName } from './names';
import { readJsonFile, writeJsonAtomic } from './writeJsonAtomic';

export interface LocalModelRegistryOptions {
  /** Finds a job output folder (and what the job knows about lineage) for `{job, output}` sources. */
  resolveJobOutput: (job: string, output: string) => Promise<{ path: string; codeHash?: string }>;
}

/**
 * A file-backed model registry: `<modelsDir>/<name>/<version>/files/` plus `model.json`,
 * which is written last, so a version without it is incomplete and never listed.
 */
export class LocalModelRegistry implements ModelRegistry {
  private readonly perName = new KeyedMutex();

  constructor(
    private readonly modelsDir: string,
    private readonly options: LocalModelRegistryOptions,
  ) {}

  async registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    validateName('model', request.name);
    return this.perName.run(request.name, async () => {
      const existing = await this.findByKey(request.name, request.idempotencyKey);
      if (existing) return existing;
      const lineage: ModelLineage = { ...request.lineage };
      let source: string;
      if ('job' in request.source) {
        const output = await this.options.resolveJobOutput(request.source.job, request.source.output);
        source = output.path;
        lineage.jobName ??= request.source.job;
        if (output.codeHash) lineage.codeHash ??= output.codeHash;
      } else {
        source = resolve(request.source.path);
      }
      const isFolder = await stat(source).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isFolder) throw new BadRequestError(`model files must be a folder; ${source} is not one`, 'source');
      const format = request.source.format ?? 'custom_model';
      if (
        format === 'mlflow_model' &&
        !(await stat(join(source, 'MLmodel')).then(
          (s) => s.isFile(),
          () => false,
        ))
      ) {
        throw new BadRequestError(
          `an mlflow_model must be a folder with an MLmodel file; ${source} has none. Save the model with mlflow (e.g. mlflow.sklearn.save_model) or declare the job output as custom_model`,
          'source',
        );
      }
      const draft: Omit<ModelVersion, 'version' | 'path' | 'sha256' | 'createdAt'> & { description?: string } = {
        name: request.name,
        metrics: { ...request.metrics },
        tags: { ...request.tags },
        lineage,
        idempotencyKey: request.idempotencyKey,
        ...(format === 'mlflow_model' && { format }),
      };
      if (request.description !== undefined) draft.description = request.description;
      return this.store(source, draft);
    });
  }

  /** Copies a version from another environment's registry; the same source twice gives one version. */
  async importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion> {
    validateName('model', from.name);
    const key = `import:${fromEnvironment}:${from.name}:${from.version}`;
    return this.perName.run(from.name, async () => {
      const existing = await this.findByKey(from.name, key);
      if (existing) return existing;
      const copied = await this.store(from.path, {
        name: from.name,
        metrics: { ...from.metrics },
        tags: { ...from.tags },
        lineage: { ...from.lineage },
        idempotencyKey: key,
        ...(from.format && { format: from.format }),
        copiedFrom: { environment: fromEnvironment, name: from.name, version: from.version },
      });
      if (copied.sha256 !== from.sha256) {
        await rm(join(this.modelsDir, from.name, String(copied.version)), { recursive: true, force: true });
        throw new AutopilotError(
          `import of ${from.name}:${from.version} from ${fromEnvironment}: the copied files hash to ${copied.sha256}, ` +
            `not ${from.sha256}; the source changed or is corrupt — re-register it there`,
        );
      }
      return copied;
    });
  }

  async getModel(ref: ModelRef): Promise<ModelVersion | undefined> {
    validateName('model', ref.name);
    if (!Number.isInteger(ref.version) || ref.version < 1) return undefined;
    return readJsonFile(ModelRecord, join(this.modelsDir, ref.name, String(ref.version), 'model.json'));
  }

  /** Versions of one model (or all), oldest first. */
  async listModels(name?: string): Promise<ModelVersion[]> {
    const names = name === undefined ? (await listDir(this.modelsDir)).filter(isValidModelName) : [validateName('model', name)];
    const versions: ModelVersion[] = [];
    for (const modelName of names.sort()) {
      for (const version of await this.versionNumbers(modelName)) {
        const found = await this.getModel({ name: modelName, version });
        if (found) versions.push(found);
      }
    }
    return versions;
  }

  private async findByKey(name: string, key: string): Promise<ModelVersion | undefined> {
    return (await this.listModels(name)).find((v) => v.idempotencyKey === key);
  }

  private async versionNumbers(name: string): Promise<number[]> {
    return (await listDir(join(this.modelsDir, name)))
      .filter((entry) => /^[1-9][0-9]*$/.test(entry))
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async store(
    source: string,
    draft: Omit<ModelVersion, 'version' | 'path' | 'sha256' | 'createdAt'> & { description?: string },
  ): Promise<ModelVersion> {
    const modelDir = join(this.modelsDir, draft.name);
    await mkdir(modelDir, { recursive: true });
    // mkdir is atomic: if another process took this number, take the next one.
    let version = ((await this.versionNumbers(draft.name)).at(-1) ?? 0) + 1;
    for (; ; version++) {
      try {
        await mkdir(join(modelDir, String(version)));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const versionDir = join(modelDir, String(version));
    const files = join(versionDir, 'files');
    try {
      await cp(source, files, { recursive: true });
      const record = asModelVersion({
        ...draft,
        version,
        path: files,
        sha256: await hashFolder(files),
        createdAt: new Date().toISOString(),
      });
      await writeJsonAtomic(join(versionDir, 'model.json'), record);
      return record;
    } catch (error) {
      await rm(versionDir, { recursive: true, force: true });
      throw error;
    }
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function isValidModelName(name: string): boolean {
  try {
    validateName('model', name);
    return true;
  } catch {
    return false;
  }
}
