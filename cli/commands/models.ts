import type { Command } from 'commander';
import type { ModelView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { formatAge } from '../format/duration';
import { formatMetrics } from '../format/modelRef';
import { renderTable } from '../format/table';
import { printJson, printLines } from '../io';

export function registerModelsCommand(program: Command, context: CommandContext): void {
  program
    .command('models')
    .description('List registered model versions in every environment')
    .option('--json', 'print only a JSON array of model versions')
    .action(async (options: { json?: boolean }, command: Command) => {
      const models = await context.api(command).listModels();
      if (options.json) return printJson(context.io, models);
      if (models.length === 0) return printLines(context.io, ['No models registered yet.']);
      printLines(context.io, formatModelsTable(models, new Date()));
    });
}

export function formatModelsTable(models: readonly ModelView[], now: Date): string[] {
  return renderTable(
    ['name', 'version', 'environment', 'format', 'created', 'metrics'],
    models.map((m) => [
      m.name,
      String(m.version),
      m.environment,
      m.format === 'mlflow_model' ? 'mlflow' : 'custom',
      formatAge(m.createdAt, now),
      formatMetrics(m.metrics),
    ]),
  );
}
