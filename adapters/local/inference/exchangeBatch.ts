import { z } from 'zod';
import { EnvironmentName } from '../../../shared/config/schema';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';

// How the router process hands answered live requests to the host for collection. One
// message per relay interval, with a group per deployment: its exchanges' fields as columns and
// every body in one buffer. Sent as an array of objects, each exchange cost ~100 µs of the
// router's CPU and ~60 µs of the host's in the bench's stack (structured clone per object and per
// body, whose whole pooled ArrayBuffer is copied; a schema check per exchange); as columns, the
// clone and the check are a few loops over arrays of numbers and strings.

/** A body absent because it was over the router's inspection limit. */
const TOO_LARGE = -1;

// Checked by internal slot, not instanceof: the receiving side may be another realm (a jest VM context).
const Bytes = z.custom<Uint8Array>((value) => ArrayBuffer.isView(value), 'bytes');
const Length = z.int().min(TOO_LARGE);

export const ExchangeGroupSchema = z
  .object({
    endpoint: z.string(),
    environment: EnvironmentName,
    deployment: z.string(),
    model: z.object({ name: z.string(), version: z.number() }),
    requestIds: z.array(z.string()),
    /** When each answer was sent, ms since the epoch. */
    times: z.array(z.number()),
    latenciesMs: z.array(z.number()),
    /** Each request's body length in `bytes`, in order, then each answer's; -1: not kept (too large). */
    requestLengths: z.array(Length),
    answerLengths: z.array(Length),
    bytes: Bytes,
  })
  .superRefine((group, context) => {
    const count = group.requestIds.length;
    const columns = [group.times, group.latenciesMs, group.requestLengths, group.answerLengths];
    if (columns.some((column) => column.length !== count))
      context.addIssue({ code: 'custom', message: `the columns of ${group.endpoint}/${group.deployment} differ in length` });
    let total = 0;
    for (const length of group.requestLengths) total += Math.max(length, 0);
    for (const length of group.answerLengths) total += Math.max(length, 0);
    if (total !== group.bytes.byteLength)
      context.addIssue({
        code: 'custom',
        message: `the bodies of ${group.endpoint}/${group.deployment} take ${total} bytes, not ${group.bytes.byteLength}`,
      });
  });
export type ExchangeGroup = z.infer<typeof ExchangeGroupSchema>;

type PackedGroup = { group: Omit<ExchangeGroup, 'bytes'>; requests: Buffer[]; answers: Buffer[] };

function sameDeployment(group: Omit<ExchangeGroup, 'bytes'>, exchange: ScoredExchange): boolean {
  return (
    group.deployment === exchange.deployment &&
    group.endpoint === exchange.endpoint &&
    group.model.version === exchange.model.version &&
    group.model.name === exchange.model.name
  );
}

/** Gathers exchanges into groups, one per deployment, until taken. */
export class ExchangePacker {
  private groups = new Map<string, PackedGroup>();
  private last: PackedGroup | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(exchange: ScoredExchange): void {
    let entry = this.last;
    // Most exchanges in a batch go to the deployment of the one before: no key to build and hash then.
    if (!entry || !sameDeployment(entry.group, exchange)) {
      const key = `${exchange.endpoint}\n${exchange.deployment}\n${exchange.model.name}\n${exchange.model.version}`;
      entry = this.groups.get(key);
      if (!entry) {
        const { endpoint, environment, deployment, model } = exchange;
        const group = {
          endpoint,
          environment,
          deployment,
          model,
          requestIds: [],
          times: [],
          latenciesMs: [],
          requestLengths: [],
          answerLengths: [],
        };
        this.groups.set(key, (entry = { group, requests: [], answers: [] }));
      }
      this.last = entry;
    }
    const { group } = entry;
    group.requestIds.push(exchange.requestId);
    group.times.push(exchange.time.getTime());
    group.latenciesMs.push(exchange.latencyMs);
    group.requestLengths.push(exchange.request ? exchange.request.byteLength : TOO_LARGE);
    group.answerLengths.push(exchange.answer ? exchange.answer.byteLength : TOO_LARGE);
    if (exchange.request) entry.requests.push(exchange.request);
    if (exchange.answer) entry.answers.push(exchange.answer);
    this.count++;
  }

  /** The groups gathered so far, each with its bodies in one buffer; the packer starts empty again. */
  take(): ExchangeGroup[] {
    const taken = [...this.groups.values()].map(({ group, requests, answers }) => ({
      ...group,
      bytes: Buffer.concat([...requests, ...answers]),
    }));
    this.groups = new Map();
    this.last = undefined;
    this.count = 0;
    return taken;
  }
}

/** The exchanges of a group, their bodies views into its buffer (nothing copied). */
export function* unpackExchanges(group: ExchangeGroup): Generator<ScoredExchange> {
  const bytes = Buffer.from(group.bytes.buffer, group.bytes.byteOffset, group.bytes.byteLength);
  const { endpoint, environment, deployment, model } = group;
  let requestAt = 0;
  let answerAt = group.requestLengths.reduce((sum, length) => sum + Math.max(length, 0), 0);
  for (let i = 0; i < group.requestIds.length; i++) {
    const requestLength = group.requestLengths[i]!;
    const answerLength = group.answerLengths[i]!;
    const request = requestLength === TOO_LARGE ? undefined : bytes.subarray(requestAt, (requestAt += requestLength));
    const answer = answerLength === TOO_LARGE ? undefined : bytes.subarray(answerAt, (answerAt += answerLength));
    yield {
      requestId: group.requestIds[i]!,
      endpoint,
      environment,
      deployment,
      model,
      time: new Date(group.times[i]!),
      latencyMs: group.latenciesMs[i]!,
      request,
      answer,
      // Declared here, set by the reader: an object spread to add it costs ~1-5 µs per exchange in V8 (literals: tens of ns).
      readAnswer: undefined,
    };
  }
}
