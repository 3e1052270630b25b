import type { JobInfo } from '../../../shared/ports';

/** Where Azure ML Studio shows a job, with its logs and outputs. */
export function studioRunUrl(workspacePath: string, job: string): string {
  return `https://ml.azure.com/runs/${encodeURIComponent(job)}?wsid=${workspacePath}`;
}

/**
 * What we can say about a job's log without data-plane access: Azure ML keeps the log
 * files in the workspace's datastore, so this gives status, error and where to read them.
 */
export function jobLogText(job: JobInfo, errorMessage: string | undefined, workspacePath: string, maxBytes?: number): string {
  const lines = [
    `job ${job.name}: ${job.status}`,
    ...(errorMessage ? [`error: ${errorMessage}`] : []),
    `full logs are in Azure ML Studio (Outputs + logs): ${studioRunUrl(workspacePath, job.name)}`,
  ];
  const text = `${lines.join('\n')}\n`;
  if (maxBytes === undefined || Buffer.byteLength(text) <= maxBytes) return text;
  // The port promises the *last* maxBytes; the Studio link is the last line, so it survives.
  return Buffer.from(text).subarray(-maxBytes).toString('utf8');
}
