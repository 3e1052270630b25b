import { z } from 'zod';
import { BadRequestError } from '../../shared/errors';
import type { LoadRequest } from '../../shared/ports';

/** Highest rate one load may ask for: above it one Node process and 2 cores would measure themselves, not the model. */
export const MAX_LOAD_RPS = 500;

const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an ISO time, e.g. 2025-01-01T12:00:00Z' });

const LoadRequestSchema = z.object({
  id: z.string().min(1).max(256),
  endpoint: z.string().min(1),
  /** Empty: no deployment header, so the endpoint's traffic weights (and its shadow) apply. */
  deployments: z.array(z.string().min(1)),
  request: z.object({
    input_data: z.object({
      columns: z.array(z.string()),
      data: z.array(z.array(z.unknown())).min(1, { message: 'give at least one row to replay' }),
    }),
  }),
  requestsPerSecond: z.number().refine((rps) => Number.isFinite(rps) && rps > 0 && rps <= MAX_LOAD_RPS, {
    message: `must be more than 0 and at most ${MAX_LOAD_RPS} requests per second (the local load generator's bound)`,
  }),
  until: isoTime,
});

/** A validated load request, with `until` as ms since the epoch. */
export interface LoadSettings extends Omit<LoadRequest, 'until'> {
  untilMs: number;
}

/** Checks a LoadRequest from the core; BadRequestError names the field and what to change. */
export function toLoadSettings(request: LoadRequest): LoadSettings {
  const parsed = LoadRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequestError(`load '${String(request?.id)}': ${issue.message}`, `load.${issue.path.join('.')}`);
  }
  const { until, ...rest } = parsed.data;
  return {
    ...rest,
    request: { input_data: { columns: rest.request.input_data.columns, data: rest.request.input_data.data } },
    untilMs: Date.parse(until),
  };
}

/** A load aimed at a deployment the endpoint does not have would only measure 404s: refused up front. */
export function checkLoadDeployments(
  load: { id: string; deployments: readonly string[] },
  endpoint: string,
  known: readonly string[],
): void {
  const unknown = load.deployments.find((d) => !known.includes(d));
  if (unknown) {
    throw new BadRequestError(
      `load '${load.id}': deployment '${unknown}' does not exist on endpoint '${endpoint}' (deployments: ${known.join(', ') || 'none'})`,
      'load.deployments',
    );
  }
}
