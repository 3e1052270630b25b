import { APP_ROLES } from '../auth/appRoles';
import { checkResult, type CheckResult } from './checkResult';

/** Entra ID sign-in as the app reads it (adapters/auth/authenticator.ts, entraIdTokens.ts). */
export interface EntraSettings {
  tenantId: string;
  audiences: string[];
  /** Without a trailing slash. @default https://login.microsoftonline.com */
  authority: string;
}

/** The sign-in app settings as given (the doctor's adapter reads them from the environment: docs/settings.md). */
export interface SignInAppSettings {
  /** Inside Azure Functions (WEBSITE_INSTANCE_ID is set). */
  onAzure: boolean;
  /** AUTOPILOT_ENTRA_TENANT_ID. */
  tenantId?: string;
  /** AUTOPILOT_ENTRA_AUDIENCE, comma-separated. */
  audience?: string;
  /** AUTOPILOT_ENTRA_AUTHORITY. */
  authority?: string;
  /** AUTOPILOT_TRUST_APP_SERVICE_AUTH=true. */
  trustAppServiceAuth: boolean;
}

export const DEFAULT_ENTRA_AUTHORITY = 'https://login.microsoftonline.com';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SETTINGS_FIX =
  "Run infra/entra-app.sh <name>: it prints both settings; deploy infra/main.json with -p entraAudience='api://<appId>,<appId>' (it sets them), or: az functionapp config appsettings set -g <rg> -n <app> --settings AUTOPILOT_ENTRA_TENANT_ID=<tenant id> AUTOPILOT_ENTRA_AUDIENCE=api://<appId>,<appId>";

/**
 * The API's sign-in settings: in Azure Functions (WEBSITE_INSTANCE_ID) or once Entra ID is
 * configured, the tenant must be the directory id (the app compares tokens' `tid` with it) and
 * each audience an application ID URI or client id. Locally without them: the local tokens.
 * Returns the settings to check online when they are well-formed.
 */
export function signInSettingsCheck(given: SignInAppSettings): { result: CheckResult; entra?: EntraSettings } {
  const { onAzure } = given;
  const tenantId = given.tenantId?.trim() ?? '';
  const audiences = (given.audience ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const name = 'sign-in: settings';
  if (!tenantId && !audiences.length) {
    if (!onAzure)
      return {
        result: checkResult(
          'sign-in',
          'ok',
          'local tokens (tokens.json in the state folder, .autopilot or AUTOPILOT_STATE_DIR); Entra ID sign-in is not configured, nor needed outside Azure',
        ),
      };
    if (given.trustAppServiceAuth) {
      return {
        result: checkResult(
          name,
          'ok',
          "App Service authentication's x-ms-client-principal header (AUTOPILOT_TRUST_APP_SERVICE_AUTH=true); Entra ID bearer tokens are not configured",
        ),
      };
    }
    return {
      result: checkResult(
        name,
        'fail',
        'no sign-in configured in Azure Functions: every API call answers 503 (AUTOPILOT_ENTRA_TENANT_ID and AUTOPILOT_ENTRA_AUDIENCE are not set)',
        SETTINGS_FIX,
      ),
    };
  }
  const problems: string[] = [];
  if (!tenantId) problems.push('AUTOPILOT_ENTRA_TENANT_ID is not set, and AUTOPILOT_ENTRA_AUDIENCE needs it: the app does not start');
  else if (!GUID.test(tenantId))
    problems.push(
      `AUTOPILOT_ENTRA_TENANT_ID '${tenantId}' is not a directory (tenant) id: tokens carry the GUID in tid and iss, so none would be accepted`,
    );
  if (!audiences.length)
    problems.push('AUTOPILOT_ENTRA_AUDIENCE is not set, and AUTOPILOT_ENTRA_TENANT_ID needs it: the app does not start');
  const badAudiences = audiences.filter((a) => !isTokenAudience(a));
  if (badAudiences.length)
    problems.push(
      `AUTOPILOT_ENTRA_AUDIENCE ${badAudiences.map((a) => `'${a}'`).join(', ')}: an audience is the application ID URI (api://<appId>) or the application (client) id, as a token's aud claim has it`,
    );
  const authority = (given.authority?.trim() || DEFAULT_ENTRA_AUTHORITY).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(authority))
    problems.push(`AUTOPILOT_ENTRA_AUTHORITY '${authority}' is not a URL (e.g. https://login.microsoftonline.us)`);
  if (problems.length) return { result: checkResult(name, 'fail', problems.join('\n'), SETTINGS_FIX) };
  const settings = { tenantId, audiences, authority };
  return {
    result: checkResult(name, 'ok', `Entra ID tokens of tenant ${tenantId} for ${audiences.join(', ')} (authority ${authority})`),
    entra: settings,
  };
}

/** An audience as a token's aud claim has it: the application ID URI (api://<appId> or https://…) or the application (client) id. */
export function isTokenAudience(audience: string): boolean {
  return GUID.test(audience) || /^api:\/\/\S+$/.test(audience) || /^https:\/\/[^\s/]+(\/\S*)?$/.test(audience);
}

/** What the authority answered: the OpenID configuration and the signing keys the app fetches. */
export interface OpenIdAnswers {
  discoveryUrl: string;
  /** HTTP status and JSON body, or the network error. */
  discovery: { status: number; body: unknown } | { error: string };
  keysUrl: string;
  keys?: { status: number; body: unknown } | { error: string };
}

/** Where the app fetches keys and which issuer it accepts (adapters/auth/entraIdTokens.ts). */
export function openIdUrls(settings: EntraSettings): { discoveryUrl: string; keysUrl: string; issuer: string } {
  const base = `${settings.authority}/${settings.tenantId}`;
  return { discoveryUrl: `${base}/v2.0/.well-known/openid-configuration`, keysUrl: `${base}/discovery/v2.0/keys`, issuer: `${base}/v2.0` };
}

/**
 * The tenant's OpenID configuration answers with the issuer the app accepts, and its key set
 * (where the app fetches it) holds signing keys: otherwise no token can be verified.
 */
export function openIdCheck(settings: EntraSettings, answers: OpenIdAnswers): CheckResult {
  const name = 'sign-in: openid configuration';
  const { issuer } = openIdUrls(settings);
  const fix = `Check AUTOPILOT_ENTRA_TENANT_ID (the directory id: az account show --query tenantId -o tsv) and AUTOPILOT_ENTRA_AUTHORITY (unset for public Azure), and that the app reaches ${settings.authority}`;
  const failed = (what: string, url: string, answer: OpenIdAnswers['discovery']) =>
    checkResult(
      name,
      'fail',
      'error' in answer
        ? `cannot reach ${url}: ${answer.error}`
        : `${url} answered HTTP ${answer.status}${describeError(answer.body)}: ${what}`,
      fix,
    );
  if ('error' in answers.discovery || answers.discovery.status !== 200)
    return failed('no OpenID configuration for this tenant', answers.discoveryUrl, answers.discovery);
  const doc = (answers.discovery.body ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== issuer) {
    return checkResult(
      name,
      'fail',
      `the authority's issuer is ${JSON.stringify(doc.issuer)}, but the app accepts v2.0 tokens from ${issuer} only`,
      fix,
    );
  }
  if (!answers.keys) return checkResult(name, 'fail', `${answers.keysUrl} was not read`, fix);
  if ('error' in answers.keys || answers.keys.status !== 200) return failed('no signing keys', answers.keysUrl, answers.keys);
  const keys = ((answers.keys.body ?? {}) as { keys?: { kty?: unknown }[] }).keys;
  const rsa = Array.isArray(keys) ? keys.filter((k) => k?.kty === 'RSA').length : 0;
  if (!rsa) return checkResult(name, 'fail', `${answers.keysUrl} lists no RSA signing key, so no RS256 token can be verified`, fix);
  const elsewhere =
    typeof doc.jwks_uri === 'string' && doc.jwks_uri !== answers.keysUrl
      ? ` (the configuration names ${doc.jwks_uri}; the app reads ${answers.keysUrl})`
      : '';
  return checkResult(
    name,
    elsewhere ? 'warn' : 'ok',
    `issuer ${issuer}; ${rsa} RSA signing key${rsa === 1 ? '' : 's'} at ${answers.keysUrl}${elsewhere}`,
  );
}

/**
 * The app roles the API grants by (infra/app-roles.json) exist on the app registration only in
 * Microsoft Graph, which the doctor does not call: the line says so and how to look.
 */
export function appRolesNotice(settings: EntraSettings): CheckResult {
  const appId = settings.audiences.map((a) => a.replace(/^api:\/\//, '')).find((a) => GUID.test(a)) ?? '<appId>';
  const values = APP_ROLES.map((r) => r.value);
  return checkResult(
    'sign-in: app roles',
    'skip',
    `not checked: app roles live on the app registration in Microsoft Graph, which the doctor does not call. The API grants by ${values.join(', ')} (infra/app-roles.json); a caller with none of them may do nothing (403)`,
    [
      `See them: az ad app show --id ${appId} --query "appRoles[].value"`,
      `Add them: az ad app update --id ${appId} --app-roles @infra/app-roles.json; then assign them (docs/deploy-azure.md "Sign-in")`,
    ].join('\n'),
  );
}

function describeError(body: unknown): string {
  const e = body as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof e?.error !== 'string') return '';
  const description = typeof e.error_description === 'string' ? `: ${e.error_description.split(/\r?\n/)[0]}` : '';
  return ` (${e.error}${description})`;
}
