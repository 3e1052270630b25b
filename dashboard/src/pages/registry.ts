// PageDef is in ./pageDef.ts: the pages name it, and importing it from here, which imports them, is a cycle.
import type { PageDef } from './pageDef';

// One import per line, so pages added by different people merge cleanly.
import { page as pipelines } from './pipelines';
import { page as releases } from './releases';
import { page as releaseReport } from './releaseReport';
import { page as release } from './release';
import { page as endpoints } from './endpoints';
import { page as models } from './models';
import { page as model } from './model';
import { page as monitors } from './monitors';
import { page as monitorRun } from './monitorRun';
import { page as alerts } from './alerts';
import { page as audit } from './audit';

/** In matching order: a literal path before a `:param` path that would also match it. */
export const pages: PageDef[] = [
  pipelines,
  releases,
  releaseReport,
  release,
  endpoints,
  models,
  model,
  monitors,
  monitorRun,
  alerts,
  audit,
];
