import { matchAlertTargets } from '../../../shared/alerts/matchAlertTargets';
import { parseCommonAlert } from '../../../shared/events/commonAlert';
import { alertFixture, endpoint } from './fixtures';

const prod = endpoint('default-prod', 'prod', ['blue', 'Green']);
const staging = endpoint('default-staging', 'staging');
const endpoints = [endpoint('default-dev', 'dev'), staging, prod];
const targets = (t: string[], configurationItems: string[] = []) => ({ targets: t.map((x) => x.toLowerCase()), configurationItems });
const names = (matches: ReturnType<typeof matchAlertTargets>) =>
  matches.map((m) => (m.deployment ? `${m.endpoint.name}/${m.deployment}` : m.endpoint.name));

describe('matchAlertTargets', () => {
  it('matches an endpoint by its ARM id regardless of case', () => {
    expect(prod.id).toMatch(/\/workspaces\/local-prod\/onlineEndpoints\/default-prod$/);
    expect(names(matchAlertTargets(parseCommonAlert(alertFixture('metric-fired.json')), endpoints))).toEqual(['default-prod']);
    expect(names(matchAlertTargets(targets([staging.id.toUpperCase()]), endpoints))).toEqual(['default-staging']);
  });

  it('matches a deployment id to its endpoint and gives the deployment its own spelling', () => {
    const activity = parseCommonAlert(alertFixture('activity-log-fired.json'));
    expect(matchAlertTargets(activity, endpoints)).toEqual([{ endpoint: prod, deployment: 'Green' }]);
    expect(names(matchAlertTargets(targets([`${prod.id}/deployments/blue/`]), endpoints))).toEqual(['default-prod/blue']);
  });

  it('does not take a longer name or a deeper resource for the endpoint', () => {
    expect(
      matchAlertTargets(targets([`${prod.id}-old`, `${prod.id}/deployments/blue/logs`, `${prod.id}/deployments/`]), endpoints),
    ).toEqual([]);
  });

  it('matches a configuration item that names the endpoint (log search alerts on a workspace)', () => {
    const logAlert = parseCommonAlert(alertFixture('log-alerts-v2-fired.json'));
    expect(logAlert.targets[0]).toMatch(/microsoft.operationalinsights/);
    expect(names(matchAlertTargets(logAlert, endpoints))).toEqual(['default-prod']);
  });

  it('lists an endpoint once when several targets name it', () => {
    expect(names(matchAlertTargets(targets([prod.id, prod.id.toLowerCase()], ['default-prod']), endpoints))).toEqual(['default-prod']);
  });

  it('finds nothing for resources that are not our endpoints', () => {
    expect(matchAlertTargets(parseCommonAlert(alertFixture('docs-sample-vm-metric-resolved.json')), endpoints)).toEqual([]);
    expect(matchAlertTargets(parseCommonAlert(alertFixture('budget-test-action-fired.json')), endpoints)).toEqual([]);
  });
});
