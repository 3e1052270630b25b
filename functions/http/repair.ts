import { repairRelease } from '../../shared/release/repair';
import { apiRoute } from './respond';

/**
 * Ends a release whose stored record no longer parses (docs/operations.md, "Unreadable
 * release records"): an ML engineer's act, audited, which frees the pipeline's slot.
 */
apiRoute('repairRelease', { route: 'releases/{id}/repair', method: 'POST', action: 'release:repair' }, async (request, s, caller) => {
  const release = await repairRelease(s.engine, s, request.params.id ?? '', caller!.name);
  return { jsonBody: { release } };
});
