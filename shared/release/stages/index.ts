/** @module The stage handlers, one per stage of a release, in the order they run. */
import type { StageHandler } from '../context';
import type { Stage } from '../types';
import { approval } from './approval';
import { canary } from './canary';
import { deployDev } from './deploy';
import { deployStaging } from './staging';
import { evaluate } from './evaluate';
import { promote } from './promote';
import { register } from './register';
import { train } from './train';
import { validate } from './validate';

export const STAGE_HANDLERS: Record<Stage, StageHandler> = {
  validate,
  train,
  evaluate,
  register,
  deploy_dev: deployDev,
  deploy_staging: deployStaging,
  approval,
  canary,
  promote,
};
