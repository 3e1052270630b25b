import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** A credential with a fixed token: for fakes and tests, never for real Azure. */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}
