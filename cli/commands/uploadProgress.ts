import type { OutputStream } from '../io';

/** Small files upload in one request; progress would only flicker. */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;

export interface ProgressReporter {
  update(progress: { loadedBytes: number }): void;
  done(): void;
}

/**
 * Upload progress on stderr (stdout stays clean for `--json`): one line rewritten in
 * place on a terminal, a line per quarter otherwise. Undefined for small files.
 */
export function progressReporter(stderr: OutputStream, file: string, totalBytes: number): ProgressReporter | undefined {
  if (totalBytes < PROGRESS_MIN_BYTES) return undefined;
  const total = mebibytes(totalBytes);
  let lastQuarter = 0;
  let lastText = '';
  let open = false;
  return {
    update({ loadedBytes }) {
      const percent = Math.min(100, Math.floor((loadedBytes / totalBytes) * 100));
      const text = `Uploading ${file}: ${percent}% (${mebibytes(loadedBytes)} of ${total} MiB)`;
      if (stderr.isTTY) {
        if (text === lastText) return;
        lastText = text;
        stderr.write(`\r${text}\x1b[K`);
        open = true;
      } else if (Math.floor(percent / 25) > lastQuarter) {
        lastQuarter = Math.floor(percent / 25);
        stderr.write(`${text}\n`);
      }
    },
    done() {
      if (open) stderr.write('\n');
      open = false;
    },
  };
}

function mebibytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
