import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const MetricLine = z.object({
  name: z.string().min(1),
  value: z.number().refine(Number.isFinite, 'must be finite'),
  step: z.int().optional(),
});

export interface MetricsFileContent {
  /** Last value per metric name. */
  metrics: Record<string, number>;
  /** One message per line that could not be used. */
  problems: string[];
}

/**
 * Reads the JSON lines a job appends to $AUTOPILOT_METRICS_FILE. A bad line is reported,
 * never fatal: one typo in a print statement must not throw away a finished training run.
 */
export async function readMetricsFile(file: string): Promise<MetricsFileContent> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const metrics: Record<string, number> = {};
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`metrics line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const metric = MetricLine.safeParse(parsed);
    if (!metric.success) {
      problems.push(`metrics line ${index + 1} needs {"name": string, "value": number, "step"?: int}: ${line.slice(0, 200)}`);
      return;
    }
    metrics[metric.data.name] = metric.data.value;
  });
  return { metrics, problems };
}
