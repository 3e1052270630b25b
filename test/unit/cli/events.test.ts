import { formatEventsTable } from '../../../cli/commands/events';

describe('autopilot events', () => {
  test('the table shows age, type without the autopilot prefix, subject and a one-line summary', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    const lines = formatEventsTable(
      [
        {
          id: '1',
          type: 'autopilot.DriftDetected',
          subject: 'monitors/default-1',
          time: '2026-11-28T11:59:00Z',
          data: { reasons: ['feature tenure: PSI 0.41 > 0.2'] },
        },
        {
          id: '2',
          type: 'autopilot.ReleaseRolledBack',
          subject: 'releases/r1',
          time: '2026-11-28T11:00:00Z',
          data: { status: 'rolled_back', stage: 'canary', reason: 'x'.repeat(200) },
        },
      ],
      now,
    );
    expect(lines[0]).toMatch(/^AGE\s+TYPE\s+SUBJECT\s+SUMMARY$/i);
    expect(lines[1]).toMatch(/DriftDetected\s+monitors\/default-1\s+feature tenure: PSI 0.41 > 0.2$/);
    expect(lines[2]).toMatch(/ReleaseRolledBack\s+releases\/r1\s+rolled_back · canary · x+…$/);
    expect(lines[2]!.length).toBeLessThan(200);
  });
});
