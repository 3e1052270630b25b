/**
 * Starts telemetry from the process environment when imported. The function app imports
 * it before anything else so the distro's instrumentations (HTTP, Azure SDK) are in place
 * before the modules they patch are loaded.
 */
import { startTelemetry } from './startTelemetry';
import { sendLogsFromWorker } from './workerLogs';

export const telemetry = startTelemetry(process.env);

// Our log records carry customDimensions (release id, pipeline, stage); the host's copy of
// the same lines would not, and would count every line twice (docs/telemetry.md, Logs).
if (telemetry.mode === 'azure-monitor') sendLogsFromWorker();
