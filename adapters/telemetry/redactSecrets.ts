import type { AttributeValue } from '@opentelemetry/api';

/** Property names that hold credentials whatever their value looks like. */
const SECRET_NAME = /(key|secret|token|password|passwd|credential|connectionstring|sas|signature|authorization|cookie)$/i;
/** Values that are credentials whatever their property is called (connection strings, SAS, bearer tokens). */
const SECRET_VALUE = /(AccountKey=|SharedAccessKey=|SharedAccessSignature=|InstrumentationKey=|[?&]sig=|Bearer\s+[A-Za-z0-9._-]{8,})/i;
export const REDACTED = '[redacted]';

/**
 * A copy of log or event properties with credentials replaced, so nothing the core hands
 * to a logger reaches the console or Application Insights with a key in it. Deep, but
 * bounded: telemetry must never walk a huge object.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[…]';
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message, depth + 1) };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_NAME.test(k) && v !== undefined ? REDACTED : redactSecrets(v, depth + 1),
    ]),
  );
}

/** Redacted properties as OTel attributes: primitives as they are, anything else as JSON (App Insights customDimensions are strings anyway). */
export function toAttributes(properties: Record<string, unknown> = {}): Record<string, AttributeValue> {
  return attributesOf(redactSecrets(properties) as Record<string, unknown>);
}

/** toAttributes for properties already redacted (the logger redacts once, for the line and the record). */
export function attributesOf(safe: Record<string, unknown>): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(safe)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
    else attributes[key] = truncate(JSON.stringify(value));
  }
  return attributes;
}

// Application Insights cuts a custom dimension at 8 kB; cut earlier and say so.
function truncate(text: string, max = 2048): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length - max} more characters)`;
}
