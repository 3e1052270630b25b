import { NotFoundError } from '../../errors';
import { hashKey, rowHash } from '../../data/rowHash';
import { matchTrainingRows, trainingRowsBlobOf } from '../../data/trainingRows';
import type { GateDecision } from '../../evaluation/gate';
import type { ModelRef } from '../../ports';
import type { StageWith } from '../context';

/** What finding the comparable rows uses: prod's registry (the champion's lineage). */
export type ComparableRowsContext = StageWith<{ prod: 'models' }>;
import type { DataLineage } from '../types';
import type { Holdout } from './holdout';

/** Fewer held-out rows than this left after the champion's are taken out, and the gate does not promote. */
export const MIN_COMPARED_ROWS = 20;

export interface ComparableRows {
  /** The rows both models are scored on. */
  rows: string[][];
  compared: NonNullable<DataLineage['compared']>;
  /** Says which rows were compared, for the verdict ('; compared on …'). */
  note: string;
}

/**
 * The held-out rows on which the candidate and the champion can be compared fairly: those
 * the champion was not trained on (docs/holdout.md). The split keeps a row on one side in
 * every release, so these are usually all of them; rows move when the seed or the holdout
 * fraction changed, a class needed a row moved, or the champion came from data split
 * otherwise. When too few rows are left (under MIN_COMPARED_ROWS, or a class gone), all
 * rows are scored for the record but `conclusive` is false: the gate must not promote.
 */
export async function comparableRows(
  ctx: ComparableRowsContext,
  holdout: Holdout,
  champion: ModelRef | undefined,
): Promise<ComparableRows> {
  const all = holdout.rows;
  // No champion, no comparison: the holdout's size is in the validate stage's detail.
  if (!champion) return { rows: all, compared: { rows: all.length, excluded: 0, championRows: 'none', conclusive: true }, note: '' };
  const seen = await championTraining(ctx, holdout, champion);
  if (typeof seen === 'string') {
    return {
      rows: all,
      compared: { rows: all.length, excluded: 0, championRows: 'unknown', conclusive: true },
      note: `; compared on ${all.length} held-out rows; the champion's training rows are unknown (${seen}), so it may have been trained on some of them`,
    };
  }
  const kept = all.filter((_, i) => !seen.has(i));
  const excluded = all.length - kept.length;
  if (excluded === 0) {
    return {
      rows: all,
      compared: { rows: all.length, excluded: 0, championRows: 'known', conclusive: true },
      note: `; the champion was trained on none of the ${all.length} held-out rows`,
    };
  }
  const classes = (rows: string[][]) => new Set(rows.map((r) => r[holdout.labelIndex]));
  const lost = [...classes(all)].filter((c) => !classes(kept).has(c));
  if (kept.length >= MIN_COMPARED_ROWS && lost.length === 0) {
    return {
      rows: kept,
      compared: { rows: kept.length, excluded, championRows: 'known', conclusive: true },
      note: `; compared on ${kept.length} held-out rows; ${excluded} left out: the champion was trained on them`,
    };
  }
  const short = lost.length > 0 ? `none of class ${lost.map((c) => `'${c}'`).join(', ')}` : `fewer than ${MIN_COMPARED_ROWS}`;
  return {
    rows: all,
    compared: { rows: kept.length, excluded, championRows: 'known', conclusive: false },
    note:
      `; inconclusive: the champion was trained on ${excluded} of the ${all.length} held-out rows, and the ${kept.length} left (${short}) ` +
      `are too few to compare on, so the champion stays (the scores are on all ${all.length} rows, for the record only)`,
  };
}

/** Positions of the held-out rows the champion was trained on, or why that is unknown. */
async function championTraining(ctx: ComparableRowsContext, holdout: Holdout, champion: ModelRef): Promise<Set<number> | string> {
  const model = await ctx.workspaces.prod.models.getModel(champion);
  const releaseId = model?.lineage.releaseId ?? model?.tags['autopilot.release'];
  if (!releaseId) return `${champion.name}:${champion.version} was not trained by an autopilot release`;
  let stream;
  try {
    stream = await ctx.data.readStream({ container: ctx.settings.artifactsContainer, name: trainingRowsBlobOf(releaseId) });
  } catch (error) {
    if (error instanceof NotFoundError) return `release ${releaseId} recorded none: it ran before training rows were recorded`;
    throw error;
  }
  let keys: string[] = [];
  const match = await matchTrainingRows(stream.chunks, (features) => {
    const positions = features.map((f) => holdout.columns.indexOf(f));
    const missing = features.filter((_, i) => positions[i]! < 0);
    if (missing.length > 0) return { cannot: `it was trained on column(s) the held-out rows lack: ${missing.slice(0, 5).join(', ')}` };
    keys = holdout.rows.map((row) => hashKey(rowHash(row, positions)));
    return new Set(keys);
  });
  if (match.kind === 'unreadable') return `release ${releaseId}'s training rows: ${match.why}`;
  return new Set(keys.flatMap((key, i) => (match.found.has(key) ? [i] : [])));
}

/**
 * The gate's verdict with the note on the rows compared. A candidate the gate would promote
 * on too few fair rows is not promoted: the comparison is inconclusive and the champion stays
 * (whatever evaluation.inconclusive says: on these rows not even "not worse" can be shown).
 */
export function withComparedRows(gate: GateDecision, comparison: ComparableRows): GateDecision {
  const reason = gate.reason + comparison.note;
  if (comparison.compared.conclusive || !gate.passed) return { ...gate, reason };
  return { ...gate, passed: false, outcome: 'inconclusive', reason };
}
