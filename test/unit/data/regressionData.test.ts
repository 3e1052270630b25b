import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { inThreadDataGate } from '../../../shared/data/dataGate';
import { planSplit } from '../../../shared/data/holdoutSplit';
import { ALL_ROWS } from '../../../shared/data/targetChecks';
import type { ScanOptions } from '../../../shared/data/csvScan';

/** The public diabetes data (scripts/regression-dataset.py): 442 rows, 10 numeric features, a continuous target. */
const diabetes = readFileSync(join(__dirname, '../../fixtures/regression/diabetes.csv'));
const blob = 'training-data/diabetes/upload.csv';
const options: ScanOptions = { blob, labelColumn: 'progression', task: 'regression', minRows: 50, seed: 42 };

async function* chunks(bytes: Buffer, size = 4096) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function gate(bytes: Buffer, scan: Partial<ScanOptions> = {}) {
  const profile = await inThreadDataGate.scan(chunks(bytes), { ...options, ...scan });
  let train = '';
  let holdout = '';
  const counts = await inThreadDataGate.split(chunks(bytes), planSplit(profile, blob, 0.2), async (piece) => {
    train += piece.train;
    holdout += piece.holdout;
  });
  return {
    profile,
    counts,
    train: parse(train, { columns: true }) as Record<string, string>[],
    holdout: parse(holdout, { columns: true }) as Record<string, string>[],
  };
}

describe('the data gate under task: regression', () => {
  it('takes a continuous target: one stratum, the target range, every row on one side of a content split', async () => {
    const { profile, counts, train, holdout } = await gate(diabetes);
    expect(profile.classCounts).toEqual([[ALL_ROWS, 442]]);
    expect(profile.target).toEqual({ min: 25, max: 346 });
    expect(counts.trainRows + counts.holdoutRows).toBe(442);
    // About a fifth held out, by content (so the same rows again in a later upload fall on the same side).
    expect(counts.holdoutRows).toBeGreaterThan(60);
    expect(counts.holdoutRows).toBeLessThan(120);
    expect(holdout.every((row) => Number.isFinite(Number(row['progression'])))).toBe(true);
    const [header, ...dataRows] = diabetes.toString().trimEnd().split('\n');
    const again = await gate(Buffer.from([header, ...dataRows.reverse()].join('\n') + '\n'));
    expect(again.counts).toEqual(counts);
    expect(train.length).toBe(counts.trainRows);
  });

  it('refuses the same file under classification, pointing to task: regression', async () => {
    await expect(gate(diabetes, { task: 'classification' })).rejects.toThrow(
      /'progression' holds numbers with 214 distinct values in 442 rows \(from 25 to 346\): that is a continuous target, not classes; set `task: regression`/,
    );
  });

  it('refuses targets that are not numbers, naming the rows and their values', async () => {
    const lines = diabetes.toString().trimEnd().split('\n');
    const bad = lines.map((line, i) =>
      i === 3
        ? line.replace(/,[^,]*$/, ',high')
        : i === 7
          ? line.replace(/,[^,]*$/, ',inf')
          : i === 9
            ? line.replace(/,[^,]*$/, ',0x1A')
            : line,
    );
    await expect(gate(Buffer.from(bad.join('\n') + '\n'))).rejects.toThrow(
      '3 rows have a target \'progression\' that is not a finite number: data row 3 ("high"), data row 7 ("inf"), data row 9 ("0x1A"); ' +
        'a regression pipeline needs a number in every row: fix or remove these rows, or set task: classification if the column holds classes',
    );
  });

  it('refuses a file whose rows all have the same features (nothing could be held out that training did not see)', async () => {
    const same = 'x,y\n' + Array.from({ length: 60 }, (_, i) => `1,${i}`).join('\n') + '\n';
    await expect(gate(Buffer.from(same), { labelColumn: 'y' })).rejects.toThrow(
      'all 60 rows have the same features; the holdout needs rows training did not see',
    );
  });

  it('refuses a target with one value in every row (nothing to learn; r2 is undefined), as a classifier refuses a single class', async () => {
    const constant = 'x,y\n' + Array.from({ length: 60 }, (_, i) => `${i},7`).join('\n') + '\n';
    await expect(gate(Buffer.from(constant), { labelColumn: 'y' })).rejects.toThrow(
      "'y' is 7 in every one of the 60 rows; a regressor needs a target that varies",
    );
    // -0 and 0 spelled differently are the same number.
    const zeros = 'x,y\n' + Array.from({ length: 60 }, (_, i) => `${i},${i % 2 ? '-0' : '0.0'}`).join('\n') + '\n';
    await expect(gate(Buffer.from(zeros), { labelColumn: 'y' })).rejects.toThrow("'y' is 0 in every one of the 60 rows");
  });
});
