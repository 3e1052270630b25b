import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { releaseReport } from '../../../shared/release/report';
import { reportMarkdown } from '../../../shared/release/reportMarkdown';
import { csv, harness } from './harness';

describe('the decision record of a release', () => {
  it("of a candidate the gate rejected: the data, both models' numbers, the verdict, each stage and each action", async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    await h.drain();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    await h.drain();
    const [second] = await h.engine.repo.list();
    const report = releaseReport(second!, await h.engine.repo.auditLog(second!.id));
    expect(report.release).toMatchObject({ id: second!.id, status: 'rejected', reason: expect.stringMatching(/^evaluation gate/) });
    expect(report.data).toMatchObject({ blob: 'training-data/default/day2.csv', eTag: expect.any(String) });
    expect(report.gate).toMatchObject({
      passed: false,
      metric: 'auc',
      championModel: { name: 'default', version: 1 },
      candidateMetrics: { auc: 1 },
    });
    expect(report.stages.map((s) => [s.stage, s.status])).toEqual([
      ['validate', 'succeeded'],
      ['train', 'succeeded'],
      ['evaluate', 'succeeded'],
      ['register', 'succeeded'],
    ]);
    expect(report.actions.map((a) => a.at)).toEqual([...report.actions.map((a) => a.at)].sort());

    const md = reportMarkdown(report);
    expect(md).toMatch(
      new RegExp(
        `^# Release ${second!.id} \\(default\\): rejected\n\n\\*\\*Outcome:\\*\\* evaluation gate: auc 1\\.0000 vs champion 1\\.0000: improvement 0\\.0000 falls short`,
      ),
    );
    expect(md).toMatch(
      /## Evaluation gate\n\n- Rejected: auc 1\.0000 vs champion 1\.0000: improvement 0\.0000 falls short of minImprovement 0\.0100 \([^\n]+\); the champion was trained on none of the \d+ held-out rows\n- auc: candidate 1, champion \(default v1\) 1\n/,
    );
    expect(md).toContain(
      `- Paired test: DeLong on ${second!.data!.holdoutRows} held-out rows; improvement 0.0000, 90% CI 0.0000 to 0.0000; p < 0.0001 for improvement ≥ 0.0100`,
    );
    expect(md).toMatch(/\| register \| succeeded \| [^|]+ \| rejected: evaluation gate: /);
  });

  it('keeps a table row whole whatever a detail holds (pipes, line breaks)', () => {
    const md = reportMarkdown({
      release: { id: 'r', pipeline: 'p', status: 'failed', createdAt: 't0' },
      trigger: { kind: 'manual', by: 'ann' },
      stages: [{ stage: 'train', status: 'failed', detail: 'exit 1 | see\nlog' }],
      actions: [],
    });
    expect(md).toContain('| train | failed |  | exit 1 \\| see log |');
  });
});
