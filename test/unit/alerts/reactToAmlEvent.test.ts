import {
  AML_EVENT_PARTITION,
  reactToAmlEvent,
  releaseOfRun,
  type AmlEventDeps,
  type AmlEventRecord,
} from '../../../shared/alerts/reactToAmlEvent';
import { parseAmlEvent } from '../../../shared/events/amlEvents';
import { MemoryTable } from '../release/fakes';
import { FakeReleaseControl, MemoryLogger } from './fakeReleaseControl';
import { alertFixture } from './fixtures';

const RELEASE = 'default-20260322-135000-abc123';
const eventGrid = alertFixture<Record<string, any>[]>('aml-events-eventgrid.json');
const cloudEvents = alertFixture<Record<string, any>[]>('aml-events-cloudevents.json');
const sample = (events: Record<string, any>[], suffix: string) =>
  structuredClone(events.find((e) => (e.eventType ?? e.type).endsWith(suffix))!);

/** A documented run event, about the training job of RELEASE, with the given status. */
function trainingRun(events: Record<string, any>[], suffix: 'RunStatusChanged' | 'RunCompleted', status?: string, id = `evt-${status}`) {
  const event = sample(events, suffix);
  event.id = id;
  const data = event.data;
  // The samples spell run keys in PascalCase or camelCase; write the one the sample uses.
  const key = (pascal: string) => (pascal in data ? pascal : pascal.charAt(0).toLowerCase() + pascal.slice(1));
  data[key('RunId')] = `${RELEASE}-train`;
  if (status) data[key('RunStatus')] = status;
  return parseAmlEvent(event);
}

function setup() {
  const table = new MemoryTable();
  const control = new FakeReleaseControl();
  control.releases.add(RELEASE);
  const logger = new MemoryLogger();
  const deps: AmlEventDeps = { table, releases: control, logger, clock: { now: () => new Date('2026-03-22T14:00:00Z') } };
  return { table, control, logger, deps };
}

describe('reactToAmlEvent', () => {
  it.each([
    ['failed', eventGrid],
    ['Failed', cloudEvents],
    ['Canceled', eventGrid],
  ])('nudges the release when its training job ends %s', async (status, events) => {
    const { deps, control } = setup();
    const record = await reactToAmlEvent(trainingRun(events, 'RunStatusChanged', status), deps);
    expect(control.nudges).toEqual([RELEASE]);
    expect(record).toMatchObject({ outcome: 'nudged', releaseId: RELEASE, status });
  });

  it('nudges the release when its training job completes', async () => {
    const { deps, control } = setup();
    await reactToAmlEvent(trainingRun(cloudEvents, 'RunCompleted'), deps);
    expect(control.nudges).toEqual([RELEASE]);
  });

  it('leaves a release alone while its job is still running', async () => {
    const { deps, control } = setup();
    const record = await reactToAmlEvent(trainingRun(eventGrid, 'RunStatusChanged', 'Running'), deps);
    expect(control.nudges).toEqual([]);
    expect(record.outcome).toBe('recorded');
  });

  it('finds the release from the job tag the train stage sets', () => {
    expect(releaseOfRun('some-other-name', { 'autopilot.release': RELEASE })).toBe(RELEASE);
    expect(releaseOfRun(`${RELEASE}-train`, {})).toBe(RELEASE);
    expect(releaseOfRun('AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5', {})).toBeUndefined();
  });

  it('records runs of other jobs and other event types without touching releases', async () => {
    const { deps, control, table, logger } = setup();
    for (const event of eventGrid) await reactToAmlEvent(parseAmlEvent({ ...event, id: `doc-${event.eventType}` }), deps);
    expect(control.nudges).toEqual([]);
    const rows = await table.list<AmlEventRecord>(AML_EVENT_PARTITION);
    expect(rows.map((r) => r.value.type).sort()).toEqual(eventGrid.map((e) => e.eventType).sort());
    expect(rows.every((r) => r.value.outcome === 'recorded')).toBe(true);
    expect(logger.lines.some((l) => /ModelRegistered models\/sklearn_regression_model:20: recorded/.test(l.message))).toBe(true);
  });

  it('acts on a redelivered event once and records it once', async () => {
    const { deps, control, table } = setup();
    const event = trainingRun(eventGrid, 'RunStatusChanged', 'Failed', 'same-id');
    await reactToAmlEvent(event, deps);
    const again = await reactToAmlEvent(event, deps);
    expect(await table.list(AML_EVENT_PARTITION)).toHaveLength(1);
    expect(control.nudges).toEqual([RELEASE]);
    expect(again).toMatchObject({ outcome: 'nudged', duplicate: true });
  });

  it('hands a replayed DatasetDriftDetected to the retraining policy once, however often Event Grid delivers it', async () => {
    const { deps } = setup();
    const drifts: string[] = [];
    deps.onDatasetDrift = async (name) => void drifts.push(String(name));
    const event = parseAmlEvent({ ...sample(eventGrid, 'DatasetDriftDetected'), id: 'drift-1' });
    for (let i = 0; i < 3; i++) await reactToAmlEvent(event, deps);
    expect(drifts).toHaveLength(1);
  });

  it('acts again on the retry of a delivery whose action failed', async () => {
    const { deps, control, table } = setup();
    const event = trainingRun(eventGrid, 'RunStatusChanged', 'Failed', 'flaky-id');
    control.failNext = new Error('storage unavailable');
    await expect(reactToAmlEvent(event, deps)).rejects.toThrow('storage unavailable');
    await reactToAmlEvent(event, deps);
    expect(control.nudges).toEqual([RELEASE]);
    expect((await table.list<AmlEventRecord>(AML_EVENT_PARTITION)).map((r) => r.value.outcome)).toEqual(['nudged']);
  });

  it('records, without failing, a finished job named like a release that does not exist', async () => {
    const { deps, control } = setup();
    control.releases.clear();
    const record = await reactToAmlEvent(trainingRun(eventGrid, 'RunStatusChanged', 'Failed'), deps);
    expect(record).toMatchObject({ outcome: 'recorded', releaseId: RELEASE, reason: expect.stringMatching(/not found/) });
  });
});
