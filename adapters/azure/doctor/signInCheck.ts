import {
  appRolesNotice,
  openIdCheck,
  openIdUrls,
  signInSettingsCheck,
  type CheckResult,
  type OpenIdAnswers,
  type SignInAppSettings,
} from '../../../shared/doctor';

/** The sign-in app settings, read at the edge for the core's check (docs/settings.md). */
export function signInAppSettingsFrom(env: Record<string, string | undefined>): SignInAppSettings {
  return {
    onAzure: !!env['WEBSITE_INSTANCE_ID'],
    trustAppServiceAuth: env['AUTOPILOT_TRUST_APP_SERVICE_AUTH'] === 'true',
    ...(env['AUTOPILOT_ENTRA_TENANT_ID'] !== undefined ? { tenantId: env['AUTOPILOT_ENTRA_TENANT_ID'] } : {}),
    ...(env['AUTOPILOT_ENTRA_AUDIENCE'] !== undefined ? { audience: env['AUTOPILOT_ENTRA_AUDIENCE'] } : {}),
    ...(env['AUTOPILOT_ENTRA_AUTHORITY'] !== undefined ? { authority: env['AUTOPILOT_ENTRA_AUTHORITY'] } : {}),
  };
}

/**
 * The API's sign-in: its settings, then (with Entra ID configured) the tenant's OpenID
 * configuration and signing keys at the authority, as the app will fetch them, and a line on
 * the app roles, which only Microsoft Graph could show.
 */
export async function checkSignIn(env: Record<string, string | undefined>, signal?: AbortSignal): Promise<CheckResult[]> {
  const { result, entra } = signInSettingsCheck(signInAppSettingsFrom(env));
  if (!entra) return [result];
  const { discoveryUrl, keysUrl } = openIdUrls(entra);
  const answers: OpenIdAnswers = { discoveryUrl, keysUrl, discovery: await getJson(discoveryUrl, signal) };
  if (!('error' in answers.discovery) && answers.discovery.status === 200) answers.keys = await getJson(keysUrl, signal);
  return [result, openIdCheck(entra, answers), appRolesNotice(entra)];
}

async function getJson(url: string, signal?: AbortSignal): Promise<{ status: number; body: unknown } | { error: string }> {
  try {
    const response = await fetch(url, { signal: signal ?? null, headers: { accept: 'application/json' } });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)) };
  }
}
