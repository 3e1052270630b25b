import { AzureKeyCredential, type TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { AutopilotError } from '../../../shared/errors';
import { EventGridPublisher, type EventGridPublisherOptions } from './EventGridPublisher';

export const EVENTGRID_ENDPOINT_SETTING = 'AUTOPILOT_EVENTGRID_ENDPOINT';
export const EVENTGRID_KEY_SETTING = 'AUTOPILOT_EVENTGRID_KEY';

/** An Event Grid setting that cannot be used; names the setting, never shows a key. */
export class EventGridSettingsError extends AutopilotError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

export interface EventGridFromEnvOptions extends EventGridPublisherOptions {
  /** Makes the credential when no key is set (tests pass a static one). @default DefaultAzureCredential (AZURE_CLIENT_ID picks a user-assigned identity) */
  createCredential?: () => TokenCredential;
}

/**
 * The Event Grid publisher the settings ask for, or undefined when
 * AUTOPILOT_EVENTGRID_ENDPOINT is unset: a key in AUTOPILOT_EVENTGRID_KEY, else Entra ID
 * (the identity needs the EventGrid Data Sender role on the topic).
 */
export function eventGridPublisherFromEnv(env: NodeJS.ProcessEnv, options: EventGridFromEnvOptions = {}): EventGridPublisher | undefined {
  const endpoint = env[EVENTGRID_ENDPOINT_SETTING]?.trim();
  const key = env[EVENTGRID_KEY_SETTING]?.trim();
  if (!endpoint) {
    if (key) {
      throw new EventGridSettingsError(
        EVENTGRID_ENDPOINT_SETTING,
        `${EVENTGRID_KEY_SETTING} is set but ${EVENTGRID_ENDPOINT_SETTING} is not; set it to the topic endpoint, e.g. https://<topic>.<region>-1.eventgrid.azure.net/api/events`,
      );
    }
    return undefined;
  }
  const { createCredential, ...publisherOptions } = options;
  const credential = key ? new AzureKeyCredential(key) : (createCredential ?? (() => new DefaultAzureCredential()))();
  return new EventGridPublisher(topicEndpoint(endpoint), credential, publisherOptions);
}

/** The topic endpoint as the portal shows it; a bare host gets the documented `/api/events` path. */
function topicEndpoint(value: string): string {
  const example = 'https://<topic>.<region>-1.eventgrid.azure.net/api/events';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EventGridSettingsError(
      EVENTGRID_ENDPOINT_SETTING,
      `${EVENTGRID_ENDPOINT_SETTING} is not an absolute URL; set it to the topic endpoint, e.g. ${example}`,
    );
  }
  if (url.protocol !== 'https:' || url.search || url.username || url.password) {
    throw new EventGridSettingsError(
      EVENTGRID_ENDPOINT_SETTING,
      `${EVENTGRID_ENDPOINT_SETTING} must be an https URL without query or user info (keys go in ${EVENTGRID_KEY_SETTING}), e.g. ${example}`,
    );
  }
  if (url.pathname === '/') url.pathname = '/api/events';
  if (url.pathname.replace(/\/$/, '').toLowerCase() !== '/api/events') {
    throw new EventGridSettingsError(
      EVENTGRID_ENDPOINT_SETTING,
      `${EVENTGRID_ENDPOINT_SETTING} must end in /api/events (a custom topic endpoint), e.g. ${example}; got path ${url.pathname}`,
    );
  }
  return url.href.replace(/\/$/, '');
}
