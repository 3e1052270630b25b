import { RestError, type BlobItem, type ContainerClient } from '@azure/storage-blob';

/** Where a listing stopped: the storage could not list the blob after `after`. */
export interface UnlistableBlob {
  /** The last name listed before it ('' at the start of the prefix). */
  after: string;
  reason: string;
}

const PAGE_SIZE = 1000;

/**
 * Lists a container under `prefix` page by page. A page the storage cannot list (Azurite
 * answers 500 with an empty body for any page holding a name with a control character) is
 * listed again one blob at a time, so every blob before the bad one is still returned; then
 * `onUnlistable` is told where it stopped and the listing ends. Azurite also fails any
 * listing whose prefix or marker holds such a character, so the bad name cannot be stepped
 * over by marker: the blobs after it wait until it is deleted or renamed.
 */
export async function* listBlobsReporting(client: ContainerClient, prefix: string, onUnlistable: (blob: UnlistableBlob) => void): AsyncGenerator<BlobItem> {
  let marker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await listPage(client, prefix, marker, PAGE_SIZE);
    } catch (error) {
      if (!isServerError(error)) throw error;
      for (;;) {
        let step;
        try {
          step = await listPage(client, prefix, marker, 1);
        } catch (stepError) {
          if (!isServerError(stepError)) throw stepError;
          return onUnlistable({ after: marker ?? '', reason: describe(stepError) });
        }
        for (const blob of step.blobs) yield blob;
        if (!step.next) return;
        marker = step.next;
      }
    }
    for (const blob of page.blobs) yield blob;
    if (!page.next) return;
    marker = page.next;
  }
}

/** What a storage error says, even when Azurite's body (and so the SDK's message) is empty. */
export function describe(error: unknown): string {
  if (error instanceof RestError) {
    const detail = error.message ? `: ${error.message.split('\n')[0]}` : ' with an empty body';
    return `the storage answered ${error.statusCode ?? 'without a status'}${error.code ? ` (${error.code})` : ''}${detail}`;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}

async function listPage(client: ContainerClient, prefix: string, marker: string | undefined, size: number) {
  const pages = client.listBlobsFlat({ prefix }).byPage({ maxPageSize: size, ...(marker !== undefined ? { continuationToken: marker } : {}) });
  const { value } = await pages.next();
  return { blobs: (value?.segment.blobItems ?? []) as BlobItem[], next: value?.continuationToken || undefined };
}

function isServerError(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode ?? 0) >= 500;
}
