import { AzureKeyCredential, type TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { EventGridPublisher, type EventGridPublisherOptions } from './EventGridPublisher';

/** The topic as the app settings give it (adapters/settings.ts validates AUTOPILOT_EVENTGRID_ENDPOINT and _KEY). */
export interface EventGridTopicSettings {
  /** https://<topic>.<region>-1.eventgrid.azure.net/api/events */
  endpoint: string;
  /** An access key; unset: Entra ID. */
  key?: string;
}

export interface EventGridFromSettingsOptions extends EventGridPublisherOptions {
  /** Makes the credential when no key is set (tests pass a static one). @default DefaultAzureCredential (AZURE_CLIENT_ID picks a user-assigned identity) */
  createCredential?: () => TokenCredential;
}

/**
 * The Event Grid publisher the settings ask for, or undefined when no topic is set: a key
 * when given, else Entra ID (the identity needs the EventGrid Data Sender role on the topic).
 */
export function eventGridPublisherFrom(
  topic: EventGridTopicSettings | undefined,
  options: EventGridFromSettingsOptions = {},
): EventGridPublisher | undefined {
  if (!topic) return undefined;
  const { createCredential, ...publisherOptions } = options;
  const credential = topic.key ? new AzureKeyCredential(topic.key) : (createCredential ?? (() => new DefaultAzureCredential()))();
  return new EventGridPublisher(topic.endpoint, credential, publisherOptions);
}
