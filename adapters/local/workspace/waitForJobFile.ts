import { JobRecord } from './jobRecord';
import { readJsonFile } from './writeJsonAtomic';

/** Waits for the job.json of a job another process has just created (mkdir, then write). */
export async function waitForJobFile(file: string, timeoutMs = 10_000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await readJsonFile(JobRecord, file);
    if (record) return record;
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms; remove the folder if its creator crashed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
