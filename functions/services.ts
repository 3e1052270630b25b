import { composeServices, type Services } from '../adapters/compose';

/** Composes the app's services: the real root, unless a host or a test provided others. */
let compose: () => Promise<Services> = () => composeServices();
let pending: Promise<Services> | undefined;

/**
 * Hands the handlers other services than the composed ones (tests pass fakes typed by the
 * ports): every handler reads its services through `services()`, so no module mocking is needed.
 */
export function provideServices(provide: () => Services | Promise<Services>): void {
  compose = async () => provide();
  pending = undefined;
}

/** The app's services, built once per worker process on first use. */
export function services(): Promise<Services> {
  pending ??= compose().catch((error: unknown) => {
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
