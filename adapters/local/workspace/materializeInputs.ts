import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CommandValue } from '../../../shared/jobs/substituteCommand';
import type { ResolvedJobInput } from '../../../shared/jobs/resolveJobInputs';
import { ensureError } from '../../../shared/errors';

export type FetchInput = (url: string) => Promise<Buffer>;

export interface MaterializeContext {
  /** Relative local paths are resolved against the spec's folder, as Azure ML does. */
  specDir: string;
  jobDir: string;
  fetchInput: FetchInput;
}

/** A problem with one input; the job fails with this message. */
export class JobInputError extends Error {}

/**
 * Turns resolved inputs into the values the command sees: URLs are downloaded into
 * `<jobDir>/inputs/<input>/` (the job reads local files, like an AML download mount),
 * local paths become absolute, everything else passes through.
 */
export async function materializeInputs(
  inputs: Readonly<Record<string, ResolvedJobInput>>,
  context: MaterializeContext,
): Promise<Record<string, CommandValue>> {
  const values: Record<string, CommandValue> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const isUri = input.type === 'uri_file' || input.type === 'uri_folder';
    if (!isUri || input.value === undefined) {
      values[name] = input.value;
      continue;
    }
    const location = String(input.value);
    if (/^https?:\/\//i.test(location)) {
      const url = new URL(location);
      const fileName = blobBaseName(url, name);
      const folder = join(context.jobDir, 'inputs', name);
      await mkdir(folder, { recursive: true });
      let content: Buffer;
      try {
        content = await context.fetchInput(location);
      } catch (error) {
        // The query string may hold a SAS token: never put it in a message.
        throw new JobInputError(`input '${name}': could not fetch ${url.origin}${url.pathname}: ${ensureError(error).message}`);
      }
      await writeFile(join(folder, fileName), content);
      values[name] = input.type === 'uri_file' ? join(folder, fileName) : folder;
    } else {
      const path = resolve(context.specDir, location);
      if (!existsSync(path)) throw new JobInputError(`input '${name}': ${path} does not exist`);
      values[name] = path;
    }
  }
  return values;
}

/** The blob's base name, checked so a crafted URL cannot write outside the input folder. */
function blobBaseName(url: URL, input: string): string {
  const last = url.pathname.split('/').filter(Boolean).pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = '';
  }
  if (!/^[A-Za-z0-9_.=+@ -]{1,200}$/.test(name) || name === '.' || name === '..' || name.includes('..')) {
    throw new JobInputError(`input '${input}': the URL ${url.origin}${url.pathname} does not end in a usable file name`);
  }
  return name;
}
