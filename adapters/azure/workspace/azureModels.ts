import type { EnvironmentName } from '../../../shared/config/schema';
import type { ModelRef, ModelVersion, RegisterModelRequest } from '../../../shared/ports';
import { ConcurrencyError, NotFoundError } from '../../../shared/errors';
import { armCall, mapArmError, orUndefined } from './mapArmError';
import { fromArmModelVersion, toArmModelVersion } from './modelMapping';
import type { ArmWorkspaceClient } from './armWorkspaceClient';
import { parseRegistryAssetId } from './azureRegistry';
import type { ModelRegistryOption } from './azureMlWorkspaceOptions';

/** Model versions of one workspace: register and import idempotently by key, get, list. */
export class AzureModels {
  /** @param registry set for staging and prod when azure.registry is configured: their models are registry assets. */
  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly registry?: ModelRegistryOption,
  ) {}

  async registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    const path = 'job' in request.source ? `azureml://jobs/${request.source.job}/outputs/${request.source.output}` : request.source.path;
    return this.putOnce(
      {
        name: request.name,
        path,
        sha256: '',
        metrics: request.metrics ?? {},
        tags: request.tags ?? {},
        lineage: request.lineage ?? {},
        idempotencyKey: request.idempotencyKey,
        ...(request.source.format && { format: request.source.format }),
      },
      request.description,
    );
  }

  async getModel(ref: ModelRef): Promise<ModelVersion | undefined> {
    if (this.registry) return this.registry.registry.getModel(ref.name, ref.version);
    const { client, rg, ws } = this.arm;
    const id = `${ref.name}:${ref.version}`;
    const found = await orUndefined(() => client.modelVersions.get(rg, ws, ref.name, String(ref.version)), 'model', id);
    return found && fromArmModelVersion(ref.name, found);
  }

  async listModels(name?: string): Promise<ModelVersion[]> {
    const { client, rg, ws } = this.arm;
    if (this.registry) return name === undefined ? this.registry.registry.listAllModels() : this.registry.registry.listModels(name);
    if (name === undefined) {
      const names: string[] = [];
      for await (const container of client.modelContainers.list(rg, ws)) names.push(container.name!);
      return (await Promise.all(names.map((n) => this.listModels(n)))).flat();
    }
    const out: ModelVersion[] = [];
    try {
      for await (const v of client.modelVersions.list(rg, ws, name)) out.push(fromArmModelVersion(name, v));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return [];
      throw mapArmError(error, 'model', name);
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /** Promotion: a new version here pointing at the same asset, idempotent by source. */
  async importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion> {
    if (this.registry) return this.importThroughRegistry(from, fromEnvironment, this.registry);
    return this.putOnce({
      ...from,
      idempotencyKey: `import:${fromEnvironment}:${from.name}:${from.version}`,
      copiedFrom: { environment: fromEnvironment, name: from.name, version: from.version },
    });
  }

  /**
   * The version registered with `model.idempotencyKey`, or a new one after the highest. Versions
   * are immutable: when a concurrent registration (another release, another host) took that
   * version first, Azure refuses ours (409), and we look again and take the next.
   */
  private async putOnce(model: Omit<ModelVersion, 'version' | 'createdAt'>, description?: string): Promise<ModelVersion> {
    for (let attempt = 1; ; attempt++) {
      const versions = await this.listModels(model.name);
      const same = versions.find((v) => v.idempotencyKey === model.idempotencyKey);
      if (same) return same;
      try {
        return await this.putModelVersion(model.name, nextVersion(versions), model, description);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 10) throw error;
      }
    }
  }

  /**
   * Promotion through the registry: a dev version is shared into it once; a version that is
   * already a registry asset (prod importing from staging) is that same asset, not a second copy.
   * Nothing is registered in this workspace: its deployments reference the registry asset.
   */
  private async importThroughRegistry(
    from: ModelVersion,
    fromEnvironment: EnvironmentName,
    option: ModelRegistryOption,
  ): Promise<ModelVersion> {
    const asset = parseRegistryAssetId(from.path);
    if (asset) {
      const same = await option.registry.getModel(asset.name, asset.version);
      if (!same)
        throw new NotFoundError(
          'registry model',
          from.path,
          `it was shared when promoted to ${fromEnvironment}; check azure.registry in autopilot.yaml`,
        );
      return same;
    }
    const source = option.workspaces[fromEnvironment];
    if (!source)
      throw new NotFoundError(
        'azure workspace',
        fromEnvironment,
        `sharing into registry '${option.registry.coordinates.name}' needs ${fromEnvironment} on the azure backend`,
      );
    const shared = await option.registry.share(from, source);
    return { ...shared, copiedFrom: { environment: fromEnvironment, name: from.name, version: from.version } };
  }

  private async putModelVersion(name: string, version: number, model: Omit<ModelVersion, 'version' | 'createdAt'>, description?: string) {
    const { client, rg, ws } = this.arm;
    const created = await armCall(
      () => client.modelVersions.createOrUpdate(rg, ws, name, String(version), toArmModelVersion(model, description)),
      'model',
      `${name}:${version}`,
    );
    return fromArmModelVersion(name, created);
  }
}

function nextVersion(versions: ModelVersion[]): number {
  return versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
}
