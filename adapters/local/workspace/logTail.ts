import { open } from 'node:fs/promises';

/** The last `maxBytes` of a file (empty when it does not exist), cut at a line start when possible. */
export async function readTail(file: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    if (length === size) return text;
    const firstBreak = text.indexOf('\n');
    return firstBreak >= 0 && firstBreak < text.length - 1 ? text.slice(firstBreak + 1) : text;
  } finally {
    await handle.close();
  }
}

/** Keeps the last N lines of a stream in memory, for error messages. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly capacity = 20) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
