/**
 * Stages in the order a release walks them (DESIGN: the release). Apart from ./types.ts so the
 * dashboard can bundle the list without zod.
 */
export const STAGES = [
  'validate',
  'train',
  'evaluate',
  'register',
  'deploy_dev',
  'deploy_staging',
  'approval',
  'canary',
  'promote',
] as const;
