import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { AutopilotError, ensureError } from '../shared/errors';

export const STORAGE_ROLES = ['Storage Blob Data Owner', 'Storage Queue Data Contributor', 'Storage Table Data Contributor'] as const;

/** No Entra ID token for the storage account: which account, which setting, what to do. */
export class StorageCredentialError extends AutopilotError {
  constructor(
    readonly account: string,
    readonly setting: string,
    cause: unknown,
  ) {
    const error = ensureError(cause);
    super(
      `Could not get an Entra ID token for storage account ${account} (${setting}__* settings): ${error.message}. ` +
        `In Azure, turn on the function app's managed identity (a user-assigned one also needs ${setting}__clientId); ` +
        `locally, run "az login" or set ${setting} to a connection string. ` +
        `The identity needs ${STORAGE_ROLES.join(', ')} on the account.`,
      // No credential in this environment stays so; a token service hiccup may pass.
      { retryable: error.name !== 'CredentialUnavailableError', cause },
    );
  }
}

/**
 * Wraps the storage credential so that a missing identity surfaces as one clear error at the
 * first storage call, instead of the SDK's "Failed to refresh access token".
 */
export function storageCredential(inner: TokenCredential, where: { account: string; setting: string }): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      let token: AccessToken | null;
      try {
        token = await inner.getToken(scopes, options);
      } catch (error) {
        throw new StorageCredentialError(where.account, where.setting, error);
      }
      if (!token) throw new StorageCredentialError(where.account, where.setting, new Error('the credential returned no token'));
      return token;
    },
  };
}
