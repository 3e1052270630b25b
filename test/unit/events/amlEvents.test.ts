import { BadRequestError } from '../../../shared/errors';
import { AML_EVENT_DATA, parseAmlEvent, type AmlEvent } from '../../../shared/events/amlEvents';
import { alertFixture } from '../alerts/fixtures';

const eventGrid = alertFixture<Record<string, any>[]>('aml-events-eventgrid.json');
const cloudEvents = alertFixture<Record<string, any>[]>('aml-events-cloudevents.json');
const byType = (events: Record<string, any>[], suffix: string) => events.find((e) => (e.eventType ?? e.type).endsWith(suffix))!;

describe('parseAmlEvent', () => {
  it.each([
    ['Event Grid', eventGrid],
    ['CloudEvents', cloudEvents],
  ])('reads all five documented Azure ML events in the %s schema', (_schema, events) => {
    const parsed = events.map(parseAmlEvent);
    expect(parsed.map((e) => e.type).sort()).toEqual(Object.keys(AML_EVENT_DATA).sort());
    for (const event of parsed) {
      expect(event.source).toMatch(/\/providers\/Microsoft.MachineLearningServices\/workspaces\//);
      expect(event.time).toBe('2017-06-26T18:41:00.9584103Z');
    }
  });

  it('normalises PascalCase and camelCase run data to the same typed object', () => {
    const pascal = parseAmlEvent(byType(eventGrid, 'RunCompleted')); // older docs: RunId, ExperimentName
    const camel = parseAmlEvent(byType(cloudEvents, 'RunCompleted')); // newer docs: runId, experimentName
    expect(pascal.data).toEqual(camel.data);
    expect(pascal.data).toMatchObject({
      experimentId: '0fa9dfaa-cba3-4fa7-b590-23e48548f5c1',
      experimentName: 'automl-local-regression',
      runId: 'AutoML_ad912b2d-6467-4f32-a616-dbe4af6dd8fc_5',
      runType: null,
      runTags: {},
      runProperties: expect.objectContaining({ run_algorithm: 'LassoLars' }),
    });
  });

  it('keeps the run status as sent, whatever its case', () => {
    const failedLower = parseAmlEvent(byType(eventGrid, 'RunStatusChanged')) as Extract<
      AmlEvent,
      { type: 'Microsoft.MachineLearningServices.RunStatusChanged' }
    >;
    const failedPascal = parseAmlEvent(byType(cloudEvents, 'RunStatusChanged')) as typeof failedLower;
    expect(failedLower.data.runStatus).toBe('failed');
    expect(failedPascal.data.runStatus).toBe('Failed');
    expect(failedPascal.data.runId).toBe(failedLower.data.runId);
  });

  it('reads model events with a numeric or string version and splits deployed model ids', () => {
    const registered = parseAmlEvent(byType(eventGrid, 'ModelRegistered'));
    expect(registered.data).toEqual({
      modelName: 'sklearn_regression_model',
      modelVersion: '20',
      modelTags: { area: 'diabetes', type: 'regression' },
      modelProperties: { type: 'test' },
    });
    const asString = byType(cloudEvents, 'ModelRegistered');
    expect(parseAmlEvent({ ...asString, data: { ...asString.data, ModelVersion: '3' } }).data).toMatchObject({ modelVersion: '3' });
    const deployed = parseAmlEvent(byType(cloudEvents, 'ModelDeployed'));
    expect(deployed.data).toMatchObject({
      serviceName: 'my-sklearn-service',
      serviceComputeType: 'ACI',
      modelIds: ['sklearn_regression_model:1', 'sklearn_regression_model:2'],
    });
  });

  it('reads dataset drift with its coefficient and window', () => {
    expect(parseAmlEvent(byType(eventGrid, 'DatasetDriftDetected')).data).toMatchObject({
      dataDriftName: 'myDriftMonitor',
      driftCoefficient: 0.8350349068479208,
      startTime: '2019-07-04T00:00:00+00:00',
      endTime: '2019-07-05T00:00:00+00:00',
    });
  });

  it('refuses unknown event types, naming the type and the supported ones', () => {
    const other = { ...byType(eventGrid, 'ModelRegistered'), eventType: 'Microsoft.MachineLearningServices.DatasetCreated' };
    expect(() => parseAmlEvent(other)).toThrow(BadRequestError);
    expect(() => parseAmlEvent(other)).toThrow(
      expect.objectContaining({ where: 'event.type', message: expect.stringMatching(/DatasetCreated.*RunCompleted/) }),
    );
  });

  it('says which field of a malformed event is wrong', () => {
    const run = byType(eventGrid, 'RunStatusChanged');
    const { runStatus, ...noStatus } = run.data;
    void runStatus;
    expect(() => parseAmlEvent({ ...run, data: noStatus })).toThrow(expect.objectContaining({ where: 'event.data.runStatus' }));
    const { eventTime, ...noTime } = run;
    void eventTime;
    expect(() => parseAmlEvent(noTime)).toThrow(expect.objectContaining({ where: 'event.eventTime' }));
    expect(() => parseAmlEvent('garbage')).toThrow(expect.objectContaining({ where: 'event' }));
  });
});
