import { RestError, type BlobItem, type ContainerClient } from '@azure/storage-blob';

/** A stretch of names the storage could not list, stepped over. */
export interface UnlistableBlobs {
  /** The last name listed before it ('' at the start of the prefix). */
  after: string;
  /** Where listing went on: every name in between holds a character below U+0020 after `clean`. */
  resumedAfter?: string;
  /** The clean start the unlistable names share (then a control character). */
  clean?: string;
  reason: string;
}

const PAGE_SIZE = 1000;
/** Per stretch; a storage failing every listing (an outage, not a bad name) gives up here. */
const MAX_PROBES = 20_000;
// Printable ASCII, in code-unit order (the order Azurite compares names in).
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

/**
 * Lists a container under `prefix` page by page, stepping over names the storage cannot
 * list. Azurite answers 500 with an empty body for any page holding a name with a control
 * character (it cannot write it into the XML answer; Azure sends such names
 * percent-encoded with `Encoded="true"`, which Azurite 3.35 does not), and for a prefix or
 * marker holding one, so the bad name itself can never be used to step past it.
 *
 * Azurite's marker is the last name returned, compared with `name > marker`
 * (azurite/dist/src/blob/persistence/LokiBlobMetadataStore.js, listBlobs). So when the next
 * name N after marker M cannot be listed, N is found one character at a time with 1-item
 * listings by prefix (from M): for a clean start P of N, the first printable c with any name
 * under P+c is N's next character (its listing fails), and when no printable c has one, or
 * the one found lists cleanly, N's next character is a control character. Every name after
 * M up to P + ' ' then holds a control character right after P, so listing resumes from
 * marker P + ' ' (and the name P + ' ' itself is looked up, the marker being exclusive).
 * Names whose next character is above U+007E are not searched: that stretch is reported
 * and the listing ends, as it does after MAX_PROBES failed listings (a real outage).
 * `client` must not retry server errors (`maxTries: 1`): here a 500 is an answer.
 */
export async function* listBlobsPastUnlistable(
  client: ContainerClient,
  prefix: string,
  onUnlistable: (stretch: UnlistableBlobs) => void,
  pageSize = PAGE_SIZE,
): AsyncGenerator<BlobItem> {
  let marker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await listPage(client, prefix, marker, pageSize);
    } catch (error) {
      if (!isServerError(error)) throw error;
      // Again one at a time: every name before the bad one is still returned.
      const step = await listPage(client, prefix, marker, 1).catch((stepError: unknown) => {
        if (!isServerError(stepError)) throw stepError;
        return stepError as RestError;
      });
      if (!(step instanceof RestError)) {
        for (const blob of step.blobs) yield blob;
        if (!step.next) return;
        marker = step.next;
        continue;
      }
      const after = marker ?? '';
      const past = await stepPast(client, prefix, after);
      if (!past) return onUnlistable({ after, reason: describe(step) });
      onUnlistable({ after, resumedAfter: past.resume, clean: past.clean, reason: describe(step) });
      if (past.exact) yield past.exact;
      marker = past.resume;
      continue;
    }
    for (const blob of page.blobs) yield blob;
    if (!page.next) return;
    marker = page.next;
  }
}

/** Finds a clean marker past the unlistable name after `after`, or undefined when it cannot. */
async function stepPast(client: ContainerClient, prefix: string, after: string) {
  let probes = 0;
  // 'none' | 'listed' | 'failed': the first name after `after` under `start`.
  const firstUnder = async (start: string) => {
    if (++probes > MAX_PROBES) throw new ProbeLimit();
    try {
      const { blobs } = await listPage(client, start, after || undefined, 1);
      return blobs.length === 0 ? 'none' : 'listed';
    } catch (error) {
      if (!isServerError(error)) throw error;
      return 'failed';
    }
  };
  try {
    let clean = prefix;
    for (let depth = 0; depth < 1024; depth++) {
      let next: string | undefined;
      let listed = false;
      for (const c of PRINTABLE) {
        const found = await firstUnder(clean + c);
        if (found === 'none') continue;
        if (found === 'failed') next = c;
        listed = found === 'listed';
        break;
      }
      if (next === undefined) {
        // A clean name under clean + c, and none before it: the bad name's next character is below ' '.
        // No name under any printable one: it is below ' ' or above '~', which is not searched.
        if (!listed && !(await onlyControlNext(client, clean, after))) return undefined;
        const resume = clean + ' ';
        const exact = (await listPage(client, resume, after || undefined, 1)).blobs.find((b) => b.name === resume);
        return { clean, resume, exact };
      }
      clean += next;
    }
    return undefined;
  } catch (error) {
    if (error instanceof ProbeLimit) return undefined;
    throw error;
  }
}

/**
 * Whether the names under `clean` above clean + '~' list (so none of them is the bad one).
 * Under clean + '~' itself there is no name after `after`: the scan found none.
 */
async function onlyControlNext(client: ContainerClient, clean: string, after: string): Promise<boolean> {
  const high = clean + '~';
  try {
    await listPage(client, clean, high > after ? high : after, 1);
    return true;
  } catch (error) {
    if (!isServerError(error)) throw error;
    return false;
  }
}

class ProbeLimit extends Error {}

/** What a storage error says, even when Azurite's body (and so the SDK's message) is empty. */
export function describe(error: unknown): string {
  if (error instanceof RestError) {
    const detail = error.message ? `: ${error.message.split('\n')[0]}` : ' with an empty body';
    return `the storage answered ${error.statusCode ?? 'without a status'}${error.code ? ` (${error.code})` : ''}${detail}`;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}

async function listPage(client: ContainerClient, prefix: string, marker: string | undefined, size: number) {
  const pages = client
    .listBlobsFlat({ prefix })
    .byPage({ maxPageSize: size, ...(marker !== undefined ? { continuationToken: marker } : {}) });
  const { value } = await pages.next();
  return { blobs: (value?.segment.blobItems ?? []) as BlobItem[], next: value?.continuationToken || undefined };
}

function isServerError(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode ?? 0) >= 500;
}
