import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { loadDashboardAssets, type DashboardAssets } from '../../adapters/dashboard/dashboardManifest';
import { assetKeyOf, DASHBOARD_SECURITY_HEADERS, IMMUTABLE_CACHE, NO_CACHE } from '../../shared/dashboard/dashboardHeaders';
import { api } from './respond';

let assets: DashboardAssets | undefined;

/**
 * The dashboard's page and bundle. Anonymous: the files hold no data; every call the page makes
 * goes to /api and is authenticated there (the session cookie, see ./dashboardSessions.ts).
 */
app.http('dashboard', {
  route: 'dashboard/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (request: HttpRequest): Promise<HttpResponseInit> => {
    const key = assetKeyOf(request.params.path);
    // Relative asset URLs need the trailing slash: /api/dashboard -> /api/dashboard/.
    if (key === 'index.html' && !new URL(request.url).pathname.endsWith('/')) {
      return { status: 302, headers: { location: `${new URL(request.url).pathname}/`, ...DASHBOARD_SECURITY_HEADERS } };
    }
    assets ??= loadDashboardAssets();
    const asset = assets.get(key);
    if (!asset) {
      return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_CACHE, ...DASHBOARD_SECURITY_HEADERS }, body: `no dashboard file '${key.slice(0, 100)}'` };
    }
    return {
      status: 200,
      headers: { 'content-type': asset.contentType, 'cache-control': asset.immutable ? IMMUTABLE_CACHE : NO_CACHE, ...DASHBOARD_SECURITY_HEADERS },
      body: asset.body,
    };
  }),
});
