import { createRng, type Rng } from './random';

export interface GenerateOptions {
  /** @default 1000 */
  rows?: number;
  /** Feature columns in total; beyond the 8 base columns, numeric f1..fk are added. @default 8 */
  features?: number;
  /** 2 gives a churned/stayed label (0/1); more gives classes 0..k-1. @default 2 */
  classes?: number;
  /** @default 42 */
  seed?: number;
  /** Mean shift of every numeric feature, in units of its typical spread (covariate drift). @default 0 */
  shift?: number;
  /** Share of labels replaced by a different, random class. @default 0 */
  labelNoise?: number;
  /**
   * `regression`: the label is a number, a linear function of the binary model's latent score plus
   * normal noise (sd 8 around a spread of about 20), on the very same feature rows. @default classification
   */
  task?: 'classification' | 'regression';
}

export type Cell = string | number | null;

export interface Dataset {
  /** Feature columns, then `label`. */
  columns: string[];
  rows: Cell[][];
}

export const BASE_COLUMNS = [
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'support_calls',
  'age',
  'contract',
  'payment_method',
  'region',
] as const;

const CONTRACTS = ['month-to-month', 'one-year', 'two-year'] as const;
const PAYMENT_METHODS = ['electronic-check', 'mailed-check', 'bank-transfer', 'credit-card'] as const;
const REGIONS = ['north', 'south', 'east', 'west'] as const;
/** Typical spread of each numeric base feature; `shift` is measured in these units. */
const SPREAD = { tenure: 20, monthly: 25, support: 1.2, age: 14, extra: 1 };
/** The true model is fixed, not drawn from `seed`: datasets with different seeds share one world. */
const MODEL_SEED = 20240601;

/**
 * A customer-churn-like table: tenure, charges, support calls, age, contract, payment method,
 * region, optional extra numeric features, blanks where real exports have them (new
 * customers have no total charges yet; a few calls, ages and payment methods are unknown),
 * and a label drawn from a fixed latent logistic model, so a linear model reaches a realistic
 * AUC (about 0.85 for two classes) but not 1.
 */
export function generateDataset(options: GenerateOptions = {}): Dataset {
  const rowCount = options.rows ?? 1000;
  const featureCount = options.features ?? BASE_COLUMNS.length;
  const classCount = options.classes ?? 2;
  const shift = options.shift ?? 0;
  const labelNoise = options.labelNoise ?? 0;
  if (!Number.isInteger(rowCount) || rowCount < 1) throw new RangeError(`rows must be a positive integer, got ${rowCount}`);
  if (!Number.isInteger(featureCount) || featureCount < 1) throw new RangeError(`features must be a positive integer, got ${featureCount}`);
  if (!Number.isInteger(classCount) || classCount < 2) throw new RangeError(`classes must be an integer >= 2, got ${classCount}`);
  if (!(labelNoise >= 0 && labelNoise <= 1)) throw new RangeError(`label noise must be within [0, 1], got ${labelNoise}`);
  if (options.task === 'regression' && classCount !== 2)
    throw new RangeError('classes applies to classification; leave it out with task regression');

  const extraCount = Math.max(0, featureCount - BASE_COLUMNS.length);
  const extraNames = Array.from({ length: extraCount }, (_, j) => `f${j + 1}`);
  // Extra features carry geometrically weaker signal, so wide tables stay realistic.
  const extraWeights = extraNames.map((_, j) => 0.3 * 0.7 ** j);
  const classWeights = multiclassWeights(classCount, 12 + extraCount);
  const rng = createRng(options.seed ?? 42);
  // Its own stream, so adding label noise flips labels without changing any feature.
  const noiseRng = createRng((options.seed ?? 42) ^ 0x5bd1e995);
  const rows: Cell[][] = [];

  for (let i = 0; i < rowCount; i++) {
    const contract = rng.pick([0.55, 0.25, 0.2]);
    const tenureBase = [0, 12, 24][contract]! + -Math.log(1 - rng.next()) * [14, 20, 25][contract]!;
    const tenure = Math.round(clip(tenureBase + shift * SPREAD.tenure, 0, 72));
    const monthly = round2(clip(65 + 25 * rng.normal() + shift * SPREAD.monthly, 18, 120));
    const totalCharges = round2(tenure * monthly * (1 + 0.05 * rng.normal()));
    const support = Math.max(0, Math.round(rng.poisson(Math.max(0.1, 1.2 + 0.015 * (monthly - 65))) + shift * SPREAD.support));
    const age = Math.round(clip(45 + 14 * rng.normal() + shift * SPREAD.age, 18, 85));
    const payment = rng.pick([0.34, 0.23, 0.22, 0.21]);
    const region = rng.int(REGIONS.length);
    const extras = extraNames.map(() => rng.normal() + shift * SPREAD.extra);

    // Standardized latent inputs; the label depends on true values, even where a cell is blanked.
    const latent = [
      (tenure - 20) / SPREAD.tenure,
      (monthly - 65) / SPREAD.monthly,
      (support - 1.2) / SPREAD.support,
      (age - 45) / SPREAD.age,
      ...oneHot(contract, 3),
      ...oneHot(payment, 4),
      region === 1 ? 1 : 0,
      ...extras,
    ];
    let label: number;
    if (classCount === 2) {
      const logit =
        -1.6 +
        [1.0, -0.4, -1.6][contract]! -
        0.9 * latent[0]! +
        0.5 * latent[1]! +
        0.45 * latent[2]! -
        0.15 * latent[3]! +
        [0.5, 0.1, -0.2, -0.25][payment]! +
        0.15 * latent[11]! +
        extras.reduce((sum, v, j) => sum + extraWeights[j]! * v, 0);
      // One draw either way, so both tasks see the same feature rows for a seed.
      const draw = rng.next();
      label = options.task === 'regression' ? round2(80 + 20 * logit + 8 * noiseRng.normal()) : draw < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    } else {
      label = rng.pick(softmax(classWeights.map((w) => w.reduce((sum, wk, k) => sum + wk * latent[k]!, 0))));
    }
    if (labelNoise > 0 && options.task !== 'regression' && noiseRng.next() < labelNoise)
      label = (label + 1 + noiseRng.int(classCount - 1)) % classCount;

    const base: Cell[] = [
      tenure,
      monthly,
      tenure === 0 || rng.next() < 0.01 ? null : totalCharges,
      rng.next() < 0.02 ? null : support,
      rng.next() < 0.01 ? null : age,
      CONTRACTS[contract]!,
      rng.next() < 0.02 ? null : PAYMENT_METHODS[payment]!,
      REGIONS[region]!,
    ];
    const extraCells = extras.map((v) => (rng.next() < 0.005 ? null : Math.round(v * 10000) / 10000));
    rows.push([...base.slice(0, featureCount), ...extraCells, label]);
  }
  return { columns: [...BASE_COLUMNS.slice(0, featureCount), ...extraNames, 'label'], rows };
}

/** Fixed class-specific weights (class 0 is the reference) for the multiclass latent model. */
function multiclassWeights(classCount: number, inputs: number): number[][] {
  if (classCount === 2) return [];
  const rng: Rng = createRng(MODEL_SEED + classCount);
  return Array.from({ length: classCount }, (_, k) => Array.from({ length: inputs }, () => (k === 0 ? 0 : 0.8 * rng.normal())));
}

function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

const oneHot = (index: number, size: number): number[] => Array.from({ length: size }, (_, k) => (k === index ? 1 : 0));
const clip = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const round2 = (v: number): number => Math.round(v * 100) / 100;
