import { validateTableKey } from '../../../adapters/azure/storage/tableKey';
import {
  ALERT_PARTITION,
  alertRowKey,
  listAlerts,
  reactToAlert,
  type AlertDeps,
  type AlertRecord,
} from '../../../shared/alerts/reactToAlert';
import { parseCommonAlert, type ParsedAlert } from '../../../shared/events/commonAlert';
import { MemoryEvents, MemoryTable } from '../release/fakes';
import { FakeReleaseControl, MemoryLogger } from './fakeReleaseControl';
import { alertFixture, endpoint } from './fixtures';

function setup() {
  const table = new MemoryTable();
  const control = new FakeReleaseControl();
  const events = new MemoryEvents();
  const logger = new MemoryLogger();
  let now = Date.parse('2026-03-22T14:00:00Z');
  const endpoints = [endpoint('default-staging', 'staging'), endpoint('default-prod', 'prod', ['blue', 'green'])];
  const deps: AlertDeps = {
    table,
    canaries: control,
    events,
    logger,
    clock: { now: () => new Date(now) },
    listEndpoints: async () => endpoints,
  };
  return { table, control, events, logger, deps, advance: (seconds: number) => (now += seconds * 1000) };
}

const fired = (): ParsedAlert => parseCommonAlert(alertFixture('metric-fired.json'));
const resolved = (): ParsedAlert => parseCommonAlert(alertFixture('metric-resolved.json'));

describe('reactToAlert', () => {
  it('rolls back the active canary of the targeted endpoint at once, naming the rule', async () => {
    const { deps, control, events } = setup();
    control.canaries.set('default-prod', 'default-20260322-135000-abc123');
    const reaction = await reactToAlert(fired(), deps);
    expect(reaction.kind).toBe('rolled_back');
    expect(control.rollbacks).toEqual([
      {
        endpoint: 'default-prod',
        actor: 'azure-monitor:default-prod-p99-latency',
        why: 'alert default-prod-p99-latency fired: p99 latency of default-prod above 500 ms',
      },
    ]);
    expect(reaction.record).toMatchObject({
      outcome: 'rolled_back',
      endpoints: ['default-prod'],
      releases: ['default-20260322-135000-abc123'],
    });
    expect(events.published).toEqual([]); // the release control announces the rollback itself
  });

  it('acts once on a duplicate delivery', async () => {
    const { deps, control } = setup();
    control.canaries.set('default-prod', 'r1');
    await reactToAlert(fired(), deps);
    control.canaries.set('default-prod', 'r2'); // even if a new canary started meanwhile
    const again = await reactToAlert(fired(), deps);
    expect(again.kind).toBe('duplicate');
    expect(again.record.outcome).toBe('rolled_back');
    expect(control.rollbacks).toHaveLength(1);
  });

  it('records and announces a Fired alert on an endpoint without a canary', async () => {
    const { deps, control, events } = setup();
    const reaction = await reactToAlert(fired(), deps);
    expect(reaction.kind).toBe('recorded');
    expect(control.rollbacks).toHaveLength(1); // asked, and there was nothing to roll back
    expect(events.published).toEqual([
      expect.objectContaining({
        type: 'autopilot.AlertReceived',
        subject: 'endpoints/default-prod',
        data: expect.objectContaining({
          rule: 'default-prod-p99-latency',
          severity: 'Sev2',
          condition: 'Fired',
          endpoints: ['default-prod'],
        }),
      }),
    ]);
  });

  it('only records a Resolved alert', async () => {
    const { deps, control, events } = setup();
    control.canaries.set('default-prod', 'r1');
    const reaction = await reactToAlert(resolved(), deps);
    expect(reaction).toMatchObject({ kind: 'recorded', record: { outcome: 'recorded', reason: 'resolved', endpoints: ['default-prod'] } });
    expect(control.rollbacks).toEqual([]);
    expect(events.published).toEqual([]);
    expect(control.canaries.get('default-prod')).toBe('r1');
  });

  it('records and ignores an alert for a resource that is no endpoint of ours', async () => {
    const { deps, control, events, table } = setup();
    const vm = parseCommonAlert(alertFixture('docs-sample-vm-metric-resolved.json'));
    const other = { ...fired(), targets: vm.targets, configurationItems: vm.configurationItems };
    const reaction = await reactToAlert(other, deps);
    expect(reaction.kind).toBe('ignored');
    expect(reaction.record.reason).toBe(`no endpoint matches ${vm.targets[0]}, wcus-r2-gen2`);
    expect(control.rollbacks).toEqual([]);
    expect(events.published).toEqual([]);
    expect((await table.list<AlertRecord>(ALERT_PARTITION)).map((r) => r.value.outcome)).toEqual(['ignored']);
  });

  it('rolls back when the alert names only a deployment of the endpoint', async () => {
    const { deps, control } = setup();
    control.canaries.set('default-prod', 'r1');
    const reaction = await reactToAlert(parseCommonAlert(alertFixture('activity-log-fired.json')), deps);
    expect(reaction.kind).toBe('rolled_back');
    expect(reaction.record.endpoints).toEqual(['default-prod/green']);
    expect(control.rollbacks.map((r) => r.endpoint)).toEqual(['default-prod']);
  });

  it('lets a redelivery act again when the first attempt failed', async () => {
    const { deps, control, table } = setup();
    control.canaries.set('default-prod', 'r1');
    control.failNextRollback = new Error('storage unavailable');
    await expect(reactToAlert(fired(), deps)).rejects.toThrow('storage unavailable');
    const [row] = await table.list<AlertRecord>(ALERT_PARTITION);
    expect(row!.value).toMatchObject({ outcome: 'failed', reason: 'storage unavailable' });
    const retry = await reactToAlert(fired(), deps);
    expect(retry.kind).toBe('rolled_back');
    expect(control.rollbacks).toHaveLength(2);
  });

  it('takes over a claim that a crashed worker left pending, but not a fresh one', async () => {
    const { deps, control, table, advance } = setup();
    control.canaries.set('default-prod', 'r1');
    const alert = fired();
    await table.insert<AlertRecord>(ALERT_PARTITION, encodeURIComponent(alert.dedupeKey), {
      alert,
      receivedAt: deps.clock.now().toISOString(),
      outcome: 'pending',
      endpoints: [],
      releases: [],
    });
    expect((await reactToAlert(alert, deps)).kind).toBe('duplicate');
    advance(61);
    expect((await reactToAlert(alert, deps)).kind).toBe('rolled_back');
  });
});

describe('alertRowKey', () => {
  it('turns an ARM alert id into a row key Table Storage accepts, one per condition', () => {
    const key = alertRowKey(fired().dedupeKey);
    expect(() => validateTableKey('autopilot', 'row', key)).not.toThrow();
    expect(key).not.toBe(alertRowKey(resolved().dedupeKey));
  });
});

describe('listAlerts', () => {
  it('lists recorded alerts newest first, up to the limit', async () => {
    const { deps, table, advance } = setup();
    await reactToAlert(fired(), deps);
    advance(60);
    await reactToAlert(resolved(), deps);
    advance(60);
    await reactToAlert(parseCommonAlert(alertFixture('log-alerts-v2-fired.json')), deps);
    const all = await listAlerts(table, 10);
    expect(all.map((a) => [a.alert.rule, a.alert.condition, a.outcome])).toEqual([
      ['default-prod-5xx', 'Fired', 'recorded'],
      ['default-prod-p99-latency', 'Resolved', 'recorded'],
      ['default-prod-p99-latency', 'Fired', 'recorded'],
    ]);
    expect(await listAlerts(table, 1)).toHaveLength(1);
  });
});
