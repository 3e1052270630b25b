import type { Command } from 'commander';
import type { EventView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { formatAge } from '../format/duration';
import { renderTable } from '../format/table';
import { printJson, printLines } from '../io';
import { wholeNumberIn } from '../parsers';

interface EventsOptions {
  type?: string;
  limit: number;
  json?: boolean;
}

/** The service's own CloudEvents: releases, rollbacks, alerts, drift. */
export function registerEventsCommand(program: Command, context: CommandContext): void {
  program
    .command('events')
    .description('List the events the service published (releases, rollbacks, alerts, drift), newest first')
    .option('--type <type>', 'only this event type, e.g. autopilot.DriftDetected')
    .option('--limit <n>', 'how many (1-500)', wholeNumberIn(1, 500), 30)
    .option('--json', 'print only a JSON array of events')
    .action(async (options: EventsOptions, command: Command) => {
      const events = await context.api(command).listEvents({ ...(options.type ? { type: options.type } : {}), limit: options.limit });
      if (options.json) return printJson(context.io, events);
      if (events.length === 0) return printLines(context.io, ['No events yet.']);
      printLines(context.io, formatEventsTable(events, new Date()));
    });
}

export function formatEventsTable(events: readonly EventView[], now: Date): string[] {
  return renderTable(
    ['age', 'type', 'subject', 'summary'],
    events.map((e) => [formatAge(e.time, now), e.type.replace(/^autopilot\./, ''), e.subject, summary(e)]),
  );
}

function summary(event: EventView): string {
  const data = event.data;
  const reasons = Array.isArray(data['reasons']) ? (data['reasons'] as unknown[]).map(String) : [];
  const text = [data['status'], data['stage'], data['reason'], reasons[0]].filter((v) => typeof v === 'string' && v).join(' · ');
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}
