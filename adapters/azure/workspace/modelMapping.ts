import type { ModelVersion as ArmModelVersion } from '@azure/arm-machinelearning';
import type { ModelLineage, ModelVersion } from '../../../shared/ports';
import type { EnvironmentName } from '../../../shared/config/schema';

export const IDEMPOTENCY_TAG = 'autopilot.idempotencyKey';
const LINEAGE = 'autopilot.lineage.';
const METRIC = 'autopilot.metric.';
const COPIED_FROM = 'autopilot.copiedFrom';
const SHA = 'autopilot.sha256';

/** Our model version as ARM tags/properties: tags are searchable, properties hold the rest. */
export function toArmModelVersion(model: Omit<ModelVersion, 'version' | 'createdAt'>, description?: string): ArmModelVersion {
  const tags: Record<string, string> = { ...model.tags, [IDEMPOTENCY_TAG]: model.idempotencyKey };
  for (const [k, v] of Object.entries(model.lineage)) if (v !== undefined) tags[`${LINEAGE}${k}`] = v;
  const properties: Record<string, string> = { [SHA]: model.sha256 };
  for (const [k, v] of Object.entries(model.metrics)) properties[`${METRIC}${k}`] = String(v);
  if (model.copiedFrom) properties[COPIED_FROM] = JSON.stringify(model.copiedFrom);
  // modelType is what Azure ML reads for no-code deployment ("The storage format for this entity. Used for NCD.",
  // ModelVersionProperties in azure-rest-api-specs machinelearningservices): an mlflow_model deploys without code.
  return { properties: { modelUri: model.path, modelType: model.format ?? 'custom_model', description, tags, properties } };
}

export function fromArmModelVersion(name: string, arm: ArmModelVersion): ModelVersion {
  const tags: Record<string, string> = {};
  const lineage: Record<string, string> = {};
  for (const [k, v] of Object.entries(arm.properties.tags ?? {})) {
    if (v == null || k === IDEMPOTENCY_TAG) continue;
    if (k.startsWith(LINEAGE)) lineage[k.slice(LINEAGE.length)] = v;
    else tags[k] = v;
  }
  const metrics: Record<string, number> = {};
  const props = arm.properties.properties ?? {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(METRIC) && v != null) metrics[k.slice(METRIC.length)] = Number(v);
  const copied = props[COPIED_FROM];
  return {
    name,
    version: Number(arm.name),
    createdAt: arm.systemData?.createdAt?.toISOString() ?? new Date(0).toISOString(),
    path: arm.properties.modelUri ?? '',
    sha256: props[SHA] ?? '',
    metrics,
    tags,
    lineage: lineage as ModelLineage,
    idempotencyKey: arm.properties.tags?.[IDEMPOTENCY_TAG] ?? '',
    ...(arm.properties.modelType === 'mlflow_model' && { format: 'mlflow_model' as const }),
    copiedFrom: copied ? (JSON.parse(copied) as { environment: EnvironmentName; name: string; version: number }) : undefined,
  };
}
