import { z } from 'zod';

/** A port and path the container serves (Azure ML's `inference_config` routes). */
const Route = z.strictObject({
  port: z.int().min(1).max(65535),
  // Route.path in the REST spec (mfe.json, 2022-10-01) carries the pattern [a-zA-Z0-9_]: '/' alone is refused.
  path: z
    .string()
    .regex(/^\//, "starts with '/'")
    .regex(/[A-Za-z0-9_]/, "needs a letter, digit or '_' after the '/' (Azure ML's REST spec refuses '/' alone), e.g. /health"),
});

/**
 * An environment defined inline in a job or deployment YAML, as `az ml` accepts it: a Docker
 * image or a Docker build context (`build.path`, relative to the YAML), and for a custom
 * serving container the routes it answers (`inference_config`). Keys we do not act on pass.
 */
export const InlineEnvironment = z
  .looseObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, "letters, digits, '-', '_' and '.'")
      .optional(),
    description: z.string().optional(),
    image: z.string().min(1).optional(),
    build: z
      .strictObject({
        /** Folder with the Dockerfile, relative to the YAML. */
        path: z.string().min(1),
        /** @default Dockerfile */
        dockerfile_path: z.string().min(1).default('Dockerfile'),
      })
      .optional(),
    inference_config: z
      .strictObject({
        liveness_route: Route,
        readiness_route: Route,
        scoring_route: Route,
      })
      .optional(),
  })
  .refine((e) => (e.image === undefined) !== (e.build === undefined), {
    message: 'give an environment `image` or a `build` context, not both',
  });
export type InlineEnvironment = z.infer<typeof InlineEnvironment>;

/** `environment:` of a job or deployment YAML: an asset reference (`azureml:name:version`, `@latest`, a registry URI) or inline. */
export const EnvironmentField = z.union([z.string().min(1), InlineEnvironment]);
