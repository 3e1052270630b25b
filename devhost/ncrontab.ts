/**
 * NCRONTAB schedules as Azure Functions timer triggers use them: six fields
 * `second minute hour day month dayOfWeek`, each `*`, a value, a list `1,5`, a range
 * `1-5`, a step `*\/10` or `1-30/5`, month and day names (`Jan`, `Mon`). Written here
 * because no cron package is installed and the common ones parse 5-field Unix cron.
 * Times are UTC, as in Azure unless WEBSITE_TIME_ZONE is set.
 */
export interface NcrontabSchedule {
  readonly expression: string;
  /** First occurrence strictly after `after` (whole seconds). */
  next(after: Date): Date;
}

export class NcrontabError extends Error {
  constructor(expression: string, reason: string) {
    super(
      `Invalid NCRONTAB schedule '${expression}': ${reason}. Use six fields: second minute hour day month dayOfWeek, e.g. '0 */5 * * * *'`,
    );
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'dayOfWeek', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const byName = spec.names?.indexOf(text.toLowerCase().slice(0, 3)) ?? -1;
  if (byName >= 0 && /^[a-z]+$/i.test(text)) return byName + (spec.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) throw new NcrontabError(expression, `'${text}' is not a valid ${spec.name}`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new NcrontabError(expression, `${spec.name} ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText, extra] = part.split('/');
    if (extra !== undefined || rangeText === undefined || rangeText === '') {
      throw new NcrontabError(expression, `'${part}' is not a valid ${spec.name}`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new NcrontabError(expression, `step '${stepText}' must be a positive integer`);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = spec.min;
      to = spec.name === 'dayOfWeek' ? 6 : spec.max;
    } else if (rangeText.includes('-')) {
      const [a, b] = rangeText.split('-');
      from = parseValue(a ?? '', spec, expression);
      to = parseValue(b ?? '', spec, expression);
      if (to < from) throw new NcrontabError(expression, `range '${rangeText}' runs backwards`);
    } else {
      from = parseValue(rangeText, spec, expression);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(spec.name === 'dayOfWeek' && v === 7 ? 0 : v);
  }
  return values;
}

export function parseNcrontab(expression: string): NcrontabSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new NcrontabError(expression, `found ${fields.length} field(s)`);
  }
  const [seconds, minutes, hours, days, months, weekdays] = fields.map((f, i) => parseField(f, FIELDS[i]!, expression)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  return {
    expression,
    next(after) {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      // Advance the largest field that does not match and reset the smaller ones; a few
      // thousand steps at most, even for 29 February. Day and dayOfWeek must both match (NCrontab).
      const limit = t.getTime() + 8 * 366 * 86_400_000;
      while (t.getTime() < limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else if (!seconds.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
        } else {
          return new Date(t.getTime());
        }
      }
      throw new NcrontabError(expression, 'it never fires (check day and month)');
    },
  };
}
