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
