import { InferenceRecord } from './inferenceRecord';

/** A line that is not an InferenceRecord; the reason never quotes the line (it is production data). */
export interface MalformedLine {
  /** 1-based line number in its blob. */
  line: number;
  reason: string;
}

export interface ParsedInferenceLines {
  records: InferenceRecord[];
  /** How many non-empty lines were not records. */
  malformed: number;
  /** The first few of them, to say what was wrong. */
  samples: MalformedLine[];
}

export interface ParseInferenceLinesOptions {
  /** Malformed lines described in `samples`. @default 5 */
  maxSamples?: number;
}

/**
 * Parses a JSON-lines blob of inference records. Bad lines (not JSON, wrong shape) are
 * counted and described, never thrown: one corrupt write must not hide the rest.
 */
export function parseInferenceLines(text: string, options: ParseInferenceLinesOptions = {}): ParsedInferenceLines {
  const maxSamples = options.maxSamples ?? 5;
  const result: ParsedInferenceLines = { records: [], malformed: 0, samples: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const reason = parseLine(line, result.records);
    if (reason === undefined) continue;
    result.malformed++;
    if (result.samples.length < maxSamples) result.samples.push({ line: i + 1, reason });
  }
  return result;
}

/** Adds the line's record to `into`, or says why it is not one. */
function parseLine(line: string, into: InferenceRecord[]): string | undefined {
  const parsed = parseInferenceLine(line);
  if ('reason' in parsed) return parsed.reason;
  into.push(parsed.record);
  return undefined;
}

/** One trimmed, non-empty line: its record, or why it is not one (never quoting the line). */
export function parseInferenceLine(line: string): { record: InferenceRecord } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // JSON.parse's message quotes the text; ours does not.
    return { reason: 'not JSON' };
  }
  const parsed = InferenceRecord.safeParse(value);
  if (parsed.success) return { record: parsed.data };
  return {
    reason: parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
      .join('; '),
  };
}
