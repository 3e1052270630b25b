import { z } from 'zod';
import { BadRequestError } from '../errors';
import { parseEnvelope, parseEventData } from './envelope';

/**
 * Azure ML workspace events as Event Grid delivers them, in the Event Grid or the
 * CloudEvents 1.0 schema (docs: "Azure Machine Learning as an Event Grid source").
 * The docs' samples disagree on key case — older ones send `RunId`, `ExperimentName`,
 * newer ones `runId`, `experimentName`; model events send `ModelName` and a numeric
 * `ModelVersion` — so top-level data keys are camel-cased before validation, and the
 * results are the typed, camelCase objects below.
 */
const StringMap = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((m) => stringValues(m));

function stringValues(map: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

const RunData = z.looseObject({
  experimentId: z.string().nullish(),
  experimentName: z.string().nullish(),
  /** The job's name in Azure ML v2. */
  runId: z.string().min(1),
  runType: z.string().nullish(),
  runTags: StringMap,
  runProperties: StringMap,
});

const RunStatusData = RunData.extend({
  /** Running, Completed, Failed, Canceled… (the docs' sample sends lower case). */
  runStatus: z.string().min(1),
});

const ModelRegisteredData = z.looseObject({
  modelName: z.string().min(1),
  /** A number in the docs' samples, a string in the reference table: kept as a string. */
  modelVersion: z.union([z.string().min(1), z.number()]).transform(String),
  modelTags: StringMap,
  modelProperties: StringMap,
});

const ModelDeployedData = z.looseObject({
  serviceName: z.string().min(1),
  serviceComputeType: z.string().nullish(),
  /** `name:version` ids; Azure sends them comma-separated in one string. */
  modelIds: z
    .union([z.string(), z.array(z.string())])
    .nullish()
    .transform((ids) => (Array.isArray(ids) ? ids : (ids ?? '').split(',')).map((s) => s.trim()).filter(Boolean)),
  serviceTags: StringMap,
  serviceProperties: StringMap,
});

const DatasetDriftData = z.looseObject({
  dataDriftId: z.string().min(1),
  dataDriftName: z.string().nullish(),
  runId: z.string().nullish(),
  baseDatasetId: z.string().nullish(),
  targetDatasetId: z.string().nullish(),
  driftCoefficient: z.number(),
  startTime: z.string().nullish(),
  endTime: z.string().nullish(),
});

/** One map from event type to payload schema (as the Azure SDK's SystemEventNameToEventData). */
export const AML_EVENT_DATA = {
  'Microsoft.MachineLearningServices.RunCompleted': RunData,
  'Microsoft.MachineLearningServices.RunStatusChanged': RunStatusData,
  'Microsoft.MachineLearningServices.ModelRegistered': ModelRegisteredData,
  'Microsoft.MachineLearningServices.ModelDeployed': ModelDeployedData,
  'Microsoft.MachineLearningServices.DatasetDriftDetected': DatasetDriftData,
} as const;

export type AmlEventType = keyof typeof AML_EVENT_DATA;
export type AmlEventData<K extends AmlEventType> = z.infer<(typeof AML_EVENT_DATA)[K]>;

export type AmlEvent = {
  [K in AmlEventType]: {
    type: K;
    id: string;
    subject: string;
    time: string;
    /** The workspace's ARM id (`topic` in the Event Grid schema, `source` in CloudEvents). */
    source: string;
    data: AmlEventData<K>;
  };
}[AmlEventType];

export function isAmlEventType(type: string): type is AmlEventType {
  return Object.prototype.hasOwnProperty.call(AML_EVENT_DATA, type);
}

/** `RunId` -> `runId`; nested maps (tags, properties) are user data and keep their keys. */
function camelKeys(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
}

/**
 * Parses one delivered event. Throws BadRequestError for anything it cannot use —
 * a malformed envelope or payload (`where` names the field) or a type it does not know
 * — so the caller can log and acknowledge it instead of having it redelivered forever.
 */
export function parseAmlEvent(event: unknown): AmlEvent {
  const e = parseEnvelope(event, 'an event');
  if (!isAmlEventType(e.type)) {
    throw new BadRequestError(`unsupported event type ${e.type}; expected one of ${Object.keys(AML_EVENT_DATA).join(', ')}`, 'event.type');
  }
  const data = parseEventData(AML_EVENT_DATA[e.type], e, camelKeys(e.data));
  return {
    type: e.type,
    id: e.id,
    subject: e.subject ?? '',
    time: e.time ?? new Date(0).toISOString(),
    source: e.source,
    data,
  } as AmlEvent;
}
