import { resolve } from 'node:path';
import { settingsFrom } from '../../../adapters/settings';
import { ConfigError } from '../../../shared/errors';

describe('settingsFrom', () => {
  it('gives the defaults when nothing is set, and treats a blank setting as unset', () => {
    const settings = settingsFrom({ AUTOPILOT_ENDPOINTS_PORT: '  ', AUTOPILOT_CONFIG: '' });
    expect(settings).toMatchObject({
      configPath: 'autopilot.yaml',
      stateDir: resolve('.autopilot'),
      endpointsPort: 7072,
      engine: {},
      onAzure: false,
      trustAppServiceAuth: false,
    });
    expect(settings.publicOrigin).toBeUndefined();
  });

  it('reads every host setting into its typed field', () => {
    const settings = settingsFrom({
      AUTOPILOT_CONFIG: 'other.yaml',
      AUTOPILOT_STATE_DIR: '/tmp/state',
      AUTOPILOT_ENDPOINTS_PORT: '0',
      AUTOPILOT_JOB_POLL_SECONDS: '0.5',
      AUTOPILOT_PROVISIONING_POLL_SECONDS: '2',
      AUTOPILOT_LEASE_SECONDS: '30',
      AUTOPILOT_TRUST_APP_SERVICE_AUTH: 'true',
      WEBSITE_INSTANCE_ID: 'abc',
      WEBSITE_HOSTNAME: 'app.azurewebsites.net',
    });
    expect(settings).toMatchObject({
      configPath: 'other.yaml',
      stateDir: '/tmp/state',
      endpointsPort: 0,
      engine: { jobPollSeconds: 0.5, provisioningPollSeconds: 2, leaseSeconds: 30 },
      onAzure: true,
      trustAppServiceAuth: true,
      publicOrigin: 'https://app.azurewebsites.net',
    });
  });

  it('prefers AUTOPILOT_PUBLIC_URL for sign-in links on Azure, as its origin', () => {
    const settings = settingsFrom({ WEBSITE_HOSTNAME: 'app.azurewebsites.net', AUTOPILOT_PUBLIC_URL: 'https://autopilot.example.net/x' });
    expect(settings.publicOrigin).toBe('https://autopilot.example.net');
  });

  it.each([
    ['AUTOPILOT_LEASE_SECONDS', '5', /AUTOPILOT_LEASE_SECONDS: must be at least 15 \(whole seconds from 15 to 3600\), not "5"/],
    ['AUTOPILOT_LEASE_SECONDS', 'soon', /AUTOPILOT_LEASE_SECONDS: must be whole seconds from 15 to 3600, not "soon"/],
    ['AUTOPILOT_ENDPOINTS_PORT', '70000', /AUTOPILOT_ENDPOINTS_PORT: must be a TCP port from 0 to 65535, not "70000"/],
    ['AUTOPILOT_JOB_POLL_SECONDS', 'ten', /AUTOPILOT_JOB_POLL_SECONDS: must be a number of seconds, e\.g\. 10, not "ten"/],
    ['AUTOPILOT_TRUST_APP_SERVICE_AUTH', 'yes', /AUTOPILOT_TRUST_APP_SERVICE_AUTH: must be "true", "false" or unset, not "yes"/],
    ['AUTOPILOT_PUBLIC_URL', 'autopilot.example.net', /AUTOPILOT_PUBLIC_URL: must be the http\(s\) URL people open the app at/],
  ])('refuses %s=%j with an error naming the variable and the fix', (name, value, message) => {
    const read = () => settingsFrom({ [name]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
    expect(read).toThrow(/app settings/);
  });

  it('names every bad setting at once', () => {
    expect(() => settingsFrom({ AUTOPILOT_LEASE_SECONDS: '1', AUTOPILOT_ENDPOINTS_PORT: 'x' })).toThrow(
      /AUTOPILOT_ENDPOINTS_PORT[\s\S]*AUTOPILOT_LEASE_SECONDS|AUTOPILOT_LEASE_SECONDS[\s\S]*AUTOPILOT_ENDPOINTS_PORT/,
    );
  });
});
