import { webhookName } from '../../shared/config/notificationsSchema';
import type { AutopilotConfig } from '../../shared/config/schema';
import { ConfigError } from '../../shared/errors';
import { signingSecretProblem, type ResolvedWebhook } from '../../shared/notifications';

/**
 * Reads each webhook's URL (`url` or the app setting `urlFrom`) and secret (`secretFrom`) once
 * at start, so a missing setting stops the app with the file, path and setting named, and never
 * with the value. Keyed `<pipeline>/<webhook name>`.
 */
export function resolveWebhooks(
  config: AutopilotConfig,
  file: string,
  setting: (name: string) => string | undefined,
): Map<string, ResolvedWebhook> {
  const resolved = new Map<string, ResolvedWebhook>();
  const issues: { path: string; message: string }[] = [];
  for (const [pipeline, policy] of Object.entries(config.pipelines)) {
    policy.notifications.webhooks.forEach((hook, i) => {
      const path = `pipelines.${pipeline}.notifications.webhooks.${i}`;
      const url = hook.url ?? (hook.urlFrom ? setting(hook.urlFrom) : undefined);
      if (!url) issues.push({ path: `${path}.urlFrom`, message: `app setting ${hook.urlFrom} is not set: set it to the webhook URL` });
      else if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url))
        issues.push({ path: `${path}.urlFrom`, message: `app setting ${hook.urlFrom} does not hold an http(s) URL` });
      const secret = hook.secretFrom ? setting(hook.secretFrom) : undefined;
      if (hook.secretFrom && !secret)
        issues.push({
          path: `${path}.secretFrom`,
          message: `app setting ${hook.secretFrom} is not set: set it to a whsec_<base64> secret, e.g. whsec_$(openssl rand -base64 32)`,
        });
      const problem = secret ? signingSecretProblem(secret) : undefined;
      if (problem) issues.push({ path: `${path}.secretFrom`, message: `the secret in ${hook.secretFrom} ${problem}` });
      const name = webhookName(hook, i);
      if (url) resolved.set(`${pipeline}/${name}`, { pipeline, name, format: hook.format, url, ...(secret ? { secret } : {}) });
    });
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return resolved;
}
