import { isTerminal } from '../shared/release/types';
import type { ReleaseView } from './apiSchemas';

/**
 * What `status` shows: per pipeline the newest release plus any still queued or running,
 * plus `keep` (ids shown before, so a release that ends is seen ending, not vanishing).
 */
export function selectReleasesToShow(releases: readonly ReleaseView[], keep: ReadonlySet<string> = new Set()): ReleaseView[] {
  const newestFirst = [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const newestOf = new Map<string, string>();
  for (const release of newestFirst) if (!newestOf.has(release.pipeline)) newestOf.set(release.pipeline, release.id);
  return newestFirst
    .filter((release) => newestOf.get(release.pipeline) === release.id || !isTerminal(release.status) || keep.has(release.id))
    .sort((a, b) => a.pipeline.localeCompare(b.pipeline) || b.createdAt.localeCompare(a.createdAt));
}

export function allTerminal(releases: readonly ReleaseView[]): boolean {
  return releases.length > 0 && releases.every((release) => isTerminal(release.status));
}
