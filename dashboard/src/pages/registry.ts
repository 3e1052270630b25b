import type { JSX } from 'preact';

/** One page of the dashboard: `dashboard/src/pages/<name>.tsx` exports `page: PageDef`. */
export interface PageDef {
  /** Hash path with `:param`s, e.g. '/releases/:id'. */
  path: string;
  title: string;
  /** Label in the top nav, if the page is listed there. */
  nav?: string;
  component: (props: { params: Record<string, string> }) => JSX.Element;
}

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
