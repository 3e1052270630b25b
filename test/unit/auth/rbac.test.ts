import { authorize, can, UnauthenticatedError, type Principal } from '../../../shared/auth/rbac';
import { ForbiddenError } from '../../../shared/errors';

const scientist: Principal = { name: 'dana', roles: [{ role: 'data_scientist', environments: ['dev'] }] };
const engineer: Principal = { name: 'eli', roles: [{ role: 'ml_engineer', environments: ['staging', 'prod'] }] };
const reader: Principal = { name: 'rae', roles: [{ role: 'reader', environments: ['dev'] }] };

describe('authorize', () => {
  it('lets a data scientist start releases in dev but not roll back prod', () => {
    expect(can(scientist, 'release:start')).toBe(true);
    expect(() => authorize(scientist, 'release:rollback', 'prod')).toThrow(ForbiddenError);
    expect(() => authorize(scientist, 'release:start', 'staging')).toThrow(/dana may not release:start in staging/);
  });

  it('lets an ML engineer approve and roll back in prod only where granted', () => {
    expect(can(engineer, 'release:approve', 'prod')).toBe(true);
    expect(can(engineer, 'release:rollback', 'staging')).toBe(true);
    expect(can(engineer, 'release:start', 'dev')).toBe(false);
  });

  it('lets a reader read and nothing else', () => {
    expect(can(reader, 'read', 'prod')).toBe(true);
    expect(can(reader, 'release:start')).toBe(false);
  });

  it('refuses a request without a principal and says how to authenticate', () => {
    expect(() => authorize(undefined, 'read')).toThrow(UnauthenticatedError);
    expect(() => authorize(undefined, 'read')).toThrow(/Authorization: Bearer/);
  });
});
