/**
 * Generates the example's realistic churn-like dataset as CSV.
 *
 *   node --import tsx examples/tabular/generate.ts --rows 5000 --seed 7 --out data.csv
 *   node --import tsx examples/tabular/generate.ts --rows 100000 --features 20   # benchmark size
 *   node --import tsx examples/tabular/generate.ts --classes 3 --shift 0.5        # multiclass, drifted
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { generateDataset, type GenerateOptions } from './lib/generateDataset';
import { toCsv } from './lib/toCsv';

export { generateDataset, BASE_COLUMNS, type Dataset, type GenerateOptions } from './lib/generateDataset';
export { toCsv } from './lib/toCsv';

/** The dataset as CSV text (pure: same options, same bytes). */
export function generateCsv(options: GenerateOptions = {}): string {
  return toCsv(generateDataset(options));
}

function integer(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('expected an integer');
  return value;
}

function decimal(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError('expected a number');
  return value;
}

export function main(argv: readonly string[] = process.argv): void {
  const program = new Command()
    .name('generate')
    .description('Write a churn-like tabular dataset with a `label` column as CSV')
    .option('--rows <n>', 'data rows', integer, 1000)
    .option('--features <n>', 'feature columns in total (extra numeric f1..fk beyond the 8 base columns)', integer, 8)
    .option('--classes <n>', 'number of classes (2 = binary churn label 0/1)', integer, 2)
    .option('--seed <n>', 'random seed; the same seed gives the same file', integer, 42)
    .option('--shift <x>', 'mean shift of numeric features, in units of their spread (drift)', decimal, 0)
    .option('--label-noise <p>', 'share of labels replaced by another class', decimal, 0)
    .addOption(
      new Option('--task <task>', 'classification: a class label; regression: a numeric label')
        .choices(['classification', 'regression'])
        .default('classification'),
    )
    .option('--out <file>', 'output file (default: stdout)')
    .parse(argv);
  const options = program.opts<GenerateOptions & { out?: string }>();
  let csv = '';
  try {
    csv = generateCsv(options);
  } catch (error) {
    program.error(`error: ${(error as Error).message}`, { exitCode: 2 });
  }
  if (options.out) writeFileSync(options.out, csv);
  else process.stdout.write(csv);
}

if (require.main === module) main();
