import { z } from 'zod';

/** Path parameters the routes share; one field per `{name}` of the route. */
export const ReleaseIdParams = z.object({
  id: z.string().min(1).meta({ description: 'The release id, e.g. `default-20261128-094000-a1b2c3`.' }),
});
export const PipelineParams = z.object({
  pipeline: z.string().min(1).meta({ description: 'A pipeline named in autopilot.yaml, e.g. `default`.' }),
});
