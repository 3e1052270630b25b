/**
 * What a scoring script answers, in the shapes scripts written for Azure ML actually return
 * (docs/model-format.md, "Scoring contract"):
 *   [0, 1, 1]                                        a plain list of labels
 *   {"predictions": [...]}                           optionally with
 *     "probabilities" | "predict_proba": [[p0, p1], ...]  per-class lists (order: `classes`,
 *                                                          else the sorted labels, as scikit-learn's classes_)
 *                                   or [{"0": p0, "1": p1}, ...]  one object per row (its keys are the classes)
 *     "classes": [...]
 *   "<any of the above, JSON-encoded>"               run() returned json.dumps(...) and the server encoded it again
 */
export interface ScoringAnswer {
  predictions: unknown[];
  /** Per row, one probability per class, in the order of `classes` (when given). */
  probabilities?: number[][];
  classes?: unknown[];
}

/** Why an answer cannot be read; one sentence that names the shape we expected. */
export class UnreadableAnswerError extends Error {
  constructor(readonly why: string) {
    super(
      `${why}; a scoring answer is a list of predictions, or {"predictions": [...]} with optional "probabilities" and "classes" (docs/model-format.md)`,
    );
    this.name = 'UnreadableAnswerError';
  }
}

/**
 * Per-class lists of numbers, or {class: probability} objects, one per row. Checked by hand rather
 * than with a zod union: the router reads every answer, and the union cost a third of reading it.
 */
function probabilityRows(value: unknown): number[][] | Record<string, number>[] | undefined {
  if (!Array.isArray(value)) return undefined;
  if (value.every((row) => Array.isArray(row) && row.every(isNumber))) return value as number[][];
  if (value.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row) && Object.values(row).every(isNumber)))
    return value as Record<string, number>[];
  return undefined;
}

/** What z.number() accepts: finite numbers. */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Reads a parsed JSON scoring answer; throws UnreadableAnswerError saying what is wrong. */
export function readScoringAnswer(body: unknown): ScoringAnswer {
  const answer = typeof body === 'string' ? parseEncoded(body) : body;
  if (Array.isArray(answer)) return { predictions: answer };
  if (answer === null || typeof answer !== 'object') throw new UnreadableAnswerError(`the answer is ${describe(answer)}`);
  const fields = answer as Record<string, unknown>;
  const predictions = fields['predictions'];
  if (!Array.isArray(predictions)) {
    throw new UnreadableAnswerError(
      predictions === undefined
        ? `the answer has no 'predictions' (it has ${keysOf(fields)})`
        : `'predictions' is ${describe(predictions)}`,
    );
  }
  // Other keys the script returns pass through (callers may log them); the known ones are read below.
  const { predict_proba: _alias, ...rest } = fields;
  const result: ScoringAnswer = { ...rest, predictions };
  const classes = fields['classes'];
  if (classes !== undefined) {
    if (!Array.isArray(classes)) throw new UnreadableAnswerError(`'classes' is ${describe(classes)}`);
    result.classes = classes;
  }
  const probabilityKey =
    fields['probabilities'] !== undefined ? 'probabilities' : fields['predict_proba'] !== undefined ? 'predict_proba' : undefined;
  if (probabilityKey) Object.assign(result, readProbabilities(fields[probabilityKey], probabilityKey, result.classes));
  return result;
}

/** The same, or undefined when the answer cannot be read (the router counts, it does not explain). */
export function tryReadScoringAnswer(body: unknown): ScoringAnswer | undefined {
  try {
    return readScoringAnswer(body);
  } catch {
    return undefined;
  }
}

function readProbabilities(value: unknown, key: string, classes: unknown[] | undefined): Pick<ScoringAnswer, 'probabilities' | 'classes'> {
  const data = probabilityRows(value);
  if (!data)
    throw new UnreadableAnswerError(`'${key}' must be a list of per-class lists of numbers, or a list of {class: probability} objects`);
  if (data.length === 0 || Array.isArray(data[0])) return { probabilities: data as number[][], ...(classes && { classes }) };
  // One object per row: its keys name the classes, in the order of the first row.
  const objects = data as Record<string, number>[];
  const names = classes?.map(String) ?? Object.keys(objects[0]!);
  const probabilities = objects.map((row, i) =>
    names.map((name) => {
      const p = row[name];
      if (p === undefined) throw new UnreadableAnswerError(`'${key}'[${i}] has no probability for class '${name}'`);
      return p;
    }),
  );
  return { probabilities, classes: classes ?? names };
}

function parseEncoded(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UnreadableAnswerError('the answer is a string that is not JSON');
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  // Never the value itself: these reasons reach logs and collection reports, and answers hold user data.
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function keysOf(fields: Record<string, unknown>): string {
  const keys = Object.keys(fields);
  return keys.length
    ? keys
        .slice(0, 8)
        .map((k) => `'${k}'`)
        .join(', ')
    : 'no keys';
}

/**
 * The classes a model's per-class probabilities refer to when it does not name them:
 * scikit-learn orders `classes_` by np.unique, so numerically when every label is a number,
 * else as strings. `labels` are every label seen (true and predicted).
 */
export function sortedClasses(labels: Iterable<unknown>): string[] {
  const distinct = [...new Set([...labels].map(String))];
  const numeric = distinct.every((c) => c.trim() !== '' && Number.isFinite(Number(c)));
  return numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
}
