import type { BlobServiceClient } from '@azure/storage-blob';
import { subscriptionScope, type EventSubscription } from './eventSubscription';

export interface ListingScope {
  container: string;
  prefix: string;
}

/**
 * What reconciliation must list so that every blob some subscription could match is
 * seen: the containers (and common name prefix) the subject filters name, or every
 * container but `excluded` when a subscription has no container filter.
 */
export async function reconcileScopes(
  service: BlobServiceClient,
  subscriptions: readonly EventSubscription[],
  excluded: readonly string[],
): Promise<ListingScope[]> {
  const scopes = subscriptions.map(subscriptionScope);
  if (scopes.some((s) => !s.container)) {
    const all: ListingScope[] = [];
    for await (const c of service.listContainers()) if (!excluded.includes(c.name)) all.push({ container: c.name, prefix: '' });
    return all;
  }
  const byContainer = new Map<string, string>();
  for (const s of scopes) {
    const previous = byContainer.get(s.container!);
    byContainer.set(s.container!, previous === undefined ? s.prefix : commonPrefix(previous, s.prefix));
  }
  return [...byContainer].map(([container, prefix]) => ({ container, prefix }));
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}
