import { BadRequestError } from '../../../shared/errors';
import { parseCommonAlert } from '../../../shared/events/commonAlert';
import { alertFixture } from '../alerts/fixtures';

const ENDPOINT_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/autopilot-local/providers/microsoft.machinelearningservices/workspaces/local-prod/onlineendpoints/default-prod';

describe('parseCommonAlert', () => {
  it('reads a Fired metric alert into the fields the service acts on', () => {
    const alert = parseCommonAlert(alertFixture('metric-fired.json'));
    expect(alert).toEqual({
      alertId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330',
      rule: 'default-prod-p99-latency',
      severity: 'Sev2',
      condition: 'Fired',
      signalType: 'Metric',
      service: 'Platform',
      targets: [ENDPOINT_ID],
      configurationItems: ['default-prod'],
      firedAt: '2026-03-22T13:58:24.3713213Z',
      description: 'p99 latency of default-prod above 500 ms',
      dedupeKey:
        '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330:Fired',
    });
  });

  it('gives the Resolved notification of the same alert its own dedupe key and a resolved time', () => {
    const fired = parseCommonAlert(alertFixture('metric-fired.json'));
    const resolved = parseCommonAlert(alertFixture('metric-resolved.json'));
    expect(resolved.condition).toBe('Resolved');
    expect(resolved.resolvedAt).toBe('2026-03-22T14:03:16.2246313Z');
    expect(resolved.alertId).toBe(fired.alertId);
    expect(resolved.dedupeKey).not.toBe(fired.dedupeKey);
  });

  it('accepts both log search shapes and the activity log shape', () => {
    const v2 = parseCommonAlert(alertFixture('log-alerts-v2-fired.json'));
    expect(v2).toMatchObject({
      service: 'Log Alerts V2',
      signalType: 'Log',
      configurationItems: ['default-prod'],
      rule: 'default-prod-5xx',
    });
    const v1 = parseCommonAlert(alertFixture('log-analytics-v1-fired.json'));
    expect(v1).toMatchObject({ service: 'Log Analytics', signalType: 'Log', severity: 'Sev3' });
    expect(v1.description).toBeUndefined(); // Azure sends "" when the rule has no description
    const activity = parseCommonAlert(alertFixture('activity-log-fired.json'));
    expect(activity).toMatchObject({ signalType: 'Activity Log', service: 'Activity Log - Administrative' });
    expect(activity.targets).toEqual([`${ENDPOINT_ID}/deployments/green`]);
  });

  it('accepts the documentation samples verbatim, including nulls in essentials', () => {
    expect(parseCommonAlert(alertFixture('docs-sample-vm-metric-resolved.json'))).toMatchObject({
      condition: 'Resolved',
      rule: 'WCUS-R2-Gen2',
    });
    const budget = parseCommonAlert(alertFixture('budget-test-action-fired.json'));
    expect(budget).toMatchObject({ rule: 'CostAlerts', targets: [], configurationItems: ['budgets'], condition: 'Fired' });
    expect(budget.severity).toBeUndefined();
    expect(budget.signalType).toBeUndefined();
  });

  it('lower-cases target ids, which Azure sends in either case', () => {
    const body = alertFixture('metric-fired.json');
    body.data.essentials.alertTargetIDs = [
      '/subscriptions/X/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/W/onlineEndpoints/E',
    ];
    expect(parseCommonAlert(body).targets).toEqual([
      '/subscriptions/x/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/w/onlineendpoints/e',
    ]);
  });

  it('refuses the legacy metric alert schema and says to enable the common alert schema', () => {
    const parse = () => parseCommonAlert(alertFixture('legacy-metric-alert.json'));
    expect(parse).toThrow(BadRequestError);
    expect(parse).toThrow(/schemaId "AzureMonitorMetricAlert".*common alert schema/);
    expect(parse).toThrow(expect.objectContaining({ where: 'body.schemaId' }));
  });

  it('names the missing or invalid field of a broken common-schema body', () => {
    const noId = alertFixture('metric-fired.json');
    delete noId.data.essentials.alertId;
    expect(() => parseCommonAlert(noId)).toThrow(
      expect.objectContaining({ where: 'body.data.essentials.alertId', message: expect.stringMatching(/common alert schema/) }),
    );
    const badCondition = alertFixture('metric-fired.json');
    badCondition.data.essentials.monitorCondition = 'Activated';
    expect(() => parseCommonAlert(badCondition)).toThrow(expect.objectContaining({ where: 'body.data.essentials.monitorCondition' }));
  });

  it('refuses garbage that is not an object', () => {
    for (const garbage of ['hello', 42, null, [1, 2]]) {
      expect(() => parseCommonAlert(garbage)).toThrow(expect.objectContaining({ where: 'body' }));
    }
    expect(() => parseCommonAlert({})).toThrow(/no schemaId/);
  });
});
