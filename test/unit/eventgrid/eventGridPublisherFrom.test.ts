import { eventGridPublisherFrom } from '../../../adapters/azure/events';
import { settingsFrom, type AppSettings } from '../../../adapters/settings';
import { ConfigError } from '../../../shared/errors';
import { thrownBy } from '../../support/thrownBy';

const KEY = 'c2VjcmV0LXRvcGljLWtleS12YWx1ZQ==';
const never = () => ({ getToken: async () => null });
const publisherFrom = (env: AppSettings) => eventGridPublisherFrom(settingsFrom(env).eventGrid, { createCredential: never });

const settingsError = (env: AppSettings) => thrownBy(() => settingsFrom(env), ConfigError);

describe('the Event Grid topic from app settings', () => {
  it('gives no publisher when AUTOPILOT_EVENTGRID_ENDPOINT is unset', () => {
    expect(publisherFrom({})).toBeUndefined();
    expect(publisherFrom({ AUTOPILOT_EVENTGRID_ENDPOINT: '  ' })).toBeUndefined();
  });

  it('accepts the topic endpoint as the portal shows it, or its bare host', () => {
    const full = publisherFrom({
      AUTOPILOT_EVENTGRID_ENDPOINT: 'https://autopilot-events.westeurope-1.eventgrid.azure.net/api/events',
      AUTOPILOT_EVENTGRID_KEY: KEY,
    });
    expect(full?.topic).toBe('https://autopilot-events.westeurope-1.eventgrid.azure.net');
    const bare = publisherFrom({ AUTOPILOT_EVENTGRID_ENDPOINT: 'https://autopilot-events.westeurope-1.eventgrid.azure.net' });
    expect(bare?.topic).toBe('https://autopilot-events.westeurope-1.eventgrid.azure.net');
  });

  it('asks for the endpoint when only the key is set, without showing the key', () => {
    const error = settingsError({ AUTOPILOT_EVENTGRID_KEY: KEY });
    expect(error.issues.map((i) => i.path)).toEqual(['AUTOPILOT_EVENTGRID_ENDPOINT']);
    expect(error.message).toMatch(/AUTOPILOT_EVENTGRID_ENDPOINT: is not set but AUTOPILOT_EVENTGRID_KEY is.*\/api\/events/);
    expect(error.message).not.toContain(KEY);
  });

  it('refuses an endpoint that is not an https custom topic URL, saying what it should look like', () => {
    expect(settingsError({ AUTOPILOT_EVENTGRID_ENDPOINT: 'autopilot-events' }).message).toMatch(
      /AUTOPILOT_EVENTGRID_ENDPOINT: must be an absolute URL.*https:\/\/<topic>\.<region>-1\.eventgrid\.azure\.net\/api\/events/,
    );
    expect(settingsError({ AUTOPILOT_EVENTGRID_ENDPOINT: 'http://t.westeurope-1.eventgrid.azure.net/api/events' }).message).toMatch(
      /must be an https URL/,
    );
    const withKey = settingsError({
      AUTOPILOT_EVENTGRID_ENDPOINT: `https://t.westeurope-1.eventgrid.azure.net/api/events?aeg-sas-key=${KEY}`,
    });
    expect(withKey.message).toMatch(/without query.*keys go in AUTOPILOT_EVENTGRID_KEY/);
    expect(withKey.message).not.toContain(KEY);
    expect(settingsError({ AUTOPILOT_EVENTGRID_ENDPOINT: 'https://t.westeurope-1.eventgrid.azure.net/topics/x' }).message).toMatch(
      /must end in \/api\/events/,
    );
  });
});
