/**
 * @module Events out on Azure: the service's CloudEvents to an Event Grid custom topic.
 */
export { EventGridPublisher, EventGridPublishError, type EventGridPublisherOptions } from './EventGridPublisher';
export { eventGridPublisherFrom, type EventGridFromSettingsOptions, type EventGridTopicSettings } from './eventGridPublisherFrom';
export { splitIntoBatches, type Batches } from './splitIntoBatches';
