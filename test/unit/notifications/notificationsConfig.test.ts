import { settingsFrom } from '../../../adapters/settings';
import { ConfigError } from '../../../shared/errors';
import { DEFAULT_NOTIFICATION_KINDS } from '../../../shared/config/notificationsSchema';
import { resolveWebhooks } from '../../../adapters/notifications/resolveWebhooks';
import { configWith, SECRET } from './fixtures';

function problems(yaml: string): string {
  try {
    configWith(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('notifications in autopilot.yaml', () => {
  test('a webhook defaults to cloudevents, decisions only, and a one-hour digest', () => {
    const config = configWith('webhooks:\n  - { url: "https://hooks.example.com/in", secretFrom: HOOK_SECRET }');
    const policy = config.pipelines['default']!.notifications;
    expect(policy.digestMinutes).toBe(60);
    expect(policy.webhooks[0]).toMatchObject({ format: 'cloudevents', url: 'https://hooks.example.com/in' });
    expect(DEFAULT_NOTIFICATION_KINDS).not.toContain('stage_changed');
    expect(DEFAULT_NOTIFICATION_KINDS).toEqual(
      expect.arrayContaining([
        'started',
        'waiting_for_approval',
        'promoted',
        'rejected',
        'rolled_back',
        'failed',
        'drift',
        'data_quality',
        'model_quality',
      ]),
    );
  });

  test('a pipeline without notifications has no webhooks', () => {
    expect(configWith('{}').pipelines['default']!.notifications.webhooks).toEqual([]);
  });

  test('the schema refuses both or neither url and urlFrom, an unsigned cloudevents webhook, unknown events and keys, and twin names', () => {
    expect(problems('webhooks:\n  - { format: slack }')).toMatch(/notifications\.webhooks\.0\.url: set exactly one of url .* or urlFrom/);
    expect(problems('webhooks:\n  - { url: "https://a.example", urlFrom: A, format: slack }')).toMatch(/set exactly one of url/);
    expect(problems('webhooks:\n  - { url: "https://a.example" }')).toMatch(/webhooks\.0\.secretFrom: cloudevents webhooks are signed/);
    expect(problems('webhooks:\n  - { urlFrom: A, format: teams, events: [promotd] }')).toMatch(/webhooks\.0\.events\.0/);
    expect(problems('webhooks:\n  - { urlFrom: A, format: teams, secret: whsec_x }')).toMatch(/Unrecognized key.*secret/);
    expect(problems('webhooks:\n  - { urlFrom: "https://x", format: teams }')).toMatch(/urlFrom: must be the name of an app setting/);
    expect(problems('webhooks:\n  - { url: "ftp://a.example", format: slack }')).toMatch(/url: must be an http\(s\) URL/);
    expect(problems('webhooks:\n  - { name: chat, urlFrom: A, format: teams }\n  - { name: chat, urlFrom: B, format: slack }')).toMatch(
      /webhooks\.1\.name: webhook name 'chat' is used twice/,
    );
  });

  test('resolveWebhooks reads URL and secret from app settings and names a missing or weak one without its value', () => {
    const config = configWith(
      'webhooks:\n  - { urlFrom: TEAMS_URL, format: teams }\n  - { name: own, url: "https://own.example/hook", secretFrom: OWN_SECRET }',
    );
    const resolved = resolveWebhooks(
      config,
      'autopilot.yaml',
      settingsFrom({
        TEAMS_URL: 'https://x.logic.azure.com/workflows/abc?sig=SECRETSIG',
        OWN_SECRET: SECRET,
      }).namedSetting,
    );
    expect(resolved.get('default/webhook-1')).toEqual({
      pipeline: 'default',
      name: 'webhook-1',
      format: 'teams',
      url: 'https://x.logic.azure.com/workflows/abc?sig=SECRETSIG',
    });
    expect(resolved.get('default/own')).toMatchObject({ format: 'cloudevents', secret: SECRET });

    const missing = () => resolveWebhooks(config, 'autopilot.yaml', settingsFrom({}).namedSetting);
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(
      /webhooks\.0\.urlFrom: app setting TEAMS_URL is not set[\s\S]*webhooks\.1\.secretFrom: app setting OWN_SECRET is not set/,
    );
    const weak = () =>
      resolveWebhooks(
        config,
        'autopilot.yaml',
        settingsFrom({ TEAMS_URL: 'https://x.example/', OWN_SECRET: 'whsec_c2hvcnQ=' }).namedSetting,
      );
    expect(weak).toThrow(/the secret in OWN_SECRET is too short/);
    expect(weak).not.toThrow(/c2hvcnQ/);
    expect(() =>
      resolveWebhooks(
        config,
        'autopilot.yaml',
        settingsFrom({ TEAMS_URL: 'https://x.example/', OWN_SECRET: 'hunter2-not-a-whsec' }).namedSetting,
      ),
    ).toThrow(/must look like whsec_<base64>/);
  });
});
