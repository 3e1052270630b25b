import { composeServices, type Services } from '../adapters/compose';

let pending: Promise<Services> | undefined;

/** The app's services, built once per worker process on first use. */
export function services(): Promise<Services> {
  pending ??= composeServices().catch((error: unknown) => {
    pending = undefined; // let a later invocation retry after the cause is fixed
    throw error;
  });
  return pending;
}

export async function stopServices(): Promise<void> {
  const current = pending;
  pending = undefined;
  if (current) await (await current.catch(() => undefined))?.stop();
}
