/**
 * Starts telemetry from the process environment when imported. The function app imports
 * it before anything else so the distro's instrumentations (HTTP, Azure SDK) are in place
 * before the modules they patch are loaded.
 */
import { telemetrySettingsFrom } from '../settings';
import { startTelemetry } from './startTelemetry';
import { sendLogsFromWorker } from './workerLogs';

// Read on their own: the other settings are read when the services are built, after the modules load.
export const telemetry = startTelemetry(telemetrySettingsFrom(process.env));

// Our log records carry customDimensions (release id, pipeline, stage); the host's copy of
// the same lines would not, and would count every line twice (docs/telemetry.md, Logs).
if (telemetry.mode === 'azure-monitor') sendLogsFromWorker();
