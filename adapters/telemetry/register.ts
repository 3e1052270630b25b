/**
 * Starts telemetry from the process environment when imported. The function app imports
 * it before anything else so the distro's instrumentations (HTTP, Azure SDK) are in place
 * before the modules they patch are loaded.
 */
import { startTelemetry } from './startTelemetry';

export const telemetry = startTelemetry(process.env);
