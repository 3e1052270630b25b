import { ReleaseIdParams } from '../../shared/api/pathParams';
import { ReleaseResponse } from '../../shared/api/releaseResponses';
import { apiRoute } from './respond';

/**
 * Ends a release whose stored record no longer parses (docs/operations.md, "Unreadable
 * release records"): an ML engineer's act, audited, which frees the pipeline's slot.
 */
apiRoute(
  'repairRelease',
  {
    route: 'releases/{id}/repair',
    method: 'POST',
    action: 'release:repair',
    params: ReleaseIdParams,
    summary: 'Ends a release whose stored record no longer parses, freeing its pipeline (audited).',
    responses: { 200: { description: 'The repaired (failed) release', json: ReleaseResponse } },
  },
  async (_request, s, caller, { params }) => {
    const release = await s.repair(params.id, caller!.name);
    return { jsonBody: { release } };
  },
);
