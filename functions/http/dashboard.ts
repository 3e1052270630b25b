import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { loadDashboardAssets, type DashboardAssets } from '../../adapters/dashboard/dashboardManifest';
import { assetKeyOf, DASHBOARD_SECURITY_HEADERS, IMMUTABLE_CACHE, NO_CACHE } from '../../shared/dashboard/dashboardHeaders';
import { browserRoute } from './browserRoute';

let assets: DashboardAssets | undefined;

/**
 * The dashboard's page and bundle. Anonymous: the files hold no data; every call the page makes
 * goes to /api and is authenticated there (the session cookie, see ./dashboardSessions.ts).
 */
browserRoute(
  'dashboard',
  {
    route: 'dashboard/{*path}',
    method: 'GET',
    params: z.object({ path: z.string().meta({ description: 'A file of the dashboard build; empty for its page.' }) }),
    summary: 'The dashboard: its page and bundled files (no data; the page calls the API with its session cookie).',
    responses: {
      200: { description: 'The page or one of its files', text: 'text/html' },
      302: { description: 'To the same path with a trailing slash' },
    },
  },
  async (request: HttpRequest, s): Promise<HttpResponseInit> => {
    const key = assetKeyOf(request.params.path);
    // Relative asset URLs need the trailing slash: /api/dashboard -> /api/dashboard/.
    if (key === 'index.html' && !new URL(request.url).pathname.endsWith('/')) {
      return { status: 302, headers: { location: `${new URL(request.url).pathname}/`, ...DASHBOARD_SECURITY_HEADERS } };
    }
    assets ??= loadDashboardAssets(s.dashboard.assetsDir);
    const asset = assets.get(key);
    if (!asset) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_CACHE, ...DASHBOARD_SECURITY_HEADERS },
        body: `no dashboard file '${key.slice(0, 100)}'`,
      };
    }
    return {
      status: 200,
      headers: {
        'content-type': asset.contentType,
        'cache-control': asset.immutable ? IMMUTABLE_CACHE : NO_CACHE,
        ...DASHBOARD_SECURITY_HEADERS,
      },
      body: asset.body,
    };
  },
);
