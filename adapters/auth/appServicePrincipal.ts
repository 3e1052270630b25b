import { z } from 'zod';
import { principalFromAppRoles } from '../../shared/auth/appRoles';
import type { Principal } from '../../shared/auth/rbac';

/** X-MS-CLIENT-PRINCIPAL as App Service authentication sets it: base64 JSON of the token's claims. */
const ClientPrincipal = z.object({
  auth_typ: z.string().optional(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
});

/**
 * The caller App Service authentication signed in. Only to be trusted when that feature is on
 * for the app (setting AUTOPILOT_TRUST_APP_SERVICE_AUTH): the platform then sets the header and
 * drops any a client sends; without it, anyone could send one.
 */
export function appServicePrincipal(header: string | null): Principal | undefined {
  if (!header) return undefined;
  let parsed: z.infer<typeof ClientPrincipal>;
  try {
    parsed = ClientPrincipal.parse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')));
  } catch {
    return undefined;
  }
  const roleTypes = new Set(['roles', parsed.role_typ ?? 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role']);
  const nameTypes = [parsed.name_typ, 'preferred_username', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
  const name = nameTypes.map((t) => parsed.claims.find((c) => c.typ === t)?.val).find(Boolean) ?? 'unknown';
  return principalFromAppRoles(
    name,
    parsed.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val),
  );
}
