/**
 * @module Events out on Azure: the service's CloudEvents to an Event Grid custom topic.
 */
export { EventGridPublisher, EventGridPublishError, type EventGridPublisherOptions } from './EventGridPublisher';
export {
  eventGridPublisherFromEnv,
  EventGridSettingsError,
  EVENTGRID_ENDPOINT_SETTING,
  EVENTGRID_KEY_SETTING,
  type EventGridFromEnvOptions,
} from './eventGridPublisherFromEnv';
export { splitIntoBatches, type Batches } from './splitIntoBatches';
