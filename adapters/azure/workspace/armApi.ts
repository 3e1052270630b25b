import { BadRequestError } from '../../../shared/errors';

/**
 * A GA REST api-version with the endpoint property `mirrorTraffic` (added in 2022-12-01-preview,
 * GA since 2023-04-01; the SDK's 2022-10-01 has none), for raw endpoint reads and writes.
 */
export const MIRROR_API_VERSION = '2024-04-01';
/** The api-version the SDK (2.1.1) speaks. */
export const STABLE_API_VERSION = '2022-10-01';

/** Names go into raw request paths, so anything beyond Azure ML's name alphabet is refused. */
export function armName(kind: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(name)) {
    throw new BadRequestError(`${kind} name '${name}' may hold only letters, digits, '-' and '_', starting with a letter or digit`, kind);
  }
  return name;
}
