/**
 * @module The function app: every trigger registers here. The same module runs on the
 * Azure Functions host and on the local host in devhost/.
 */
// First: telemetry must be running before the modules it instruments load (docs/telemetry.md).
import { telemetry } from '../adapters/telemetry/register';
import { app } from '@azure/functions';
import { services, stopServices } from './services';
import './blobCreated';
import './inferenceArrival';
import './releaseSteps';
import './sweeper';
import './http/releases';
import './http/catalog';
import './http/releaseActions';
import './http/repair';
import './http/audit';
import './http/logs';
import './http/dashboard';
import './http/dashboardSessions';
import './monitors';
import './alerts';
import './amlEvents';
import './notifications';
import './http/notifications';
// Last: the API document lists every route registered above.
import './http/openapi';

// Build the services at start so a bad autopilot.yaml fails loudly and local
// endpoints are served again right after a restart.
app.hook.appStart(async () => {
  await services();
});
app.hook.appTerminate(async () => {
  await stopServices();
  await telemetry.shutdown(); // sends what is still buffered (metrics go out once a minute)
});
