import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateCsv } from '../examples/tabular/generate';
import type { EndpointInfo } from '../shared/ports';
import type { Release } from '../shared/release/types';
import { waitFor, type BenchClient } from './client';
import { keepAliveAgent } from './scoreClient';
import { summarize, type Summary } from './stats';
import { probeSwitch } from './switchProbe';

const FIXTURE = resolve(__dirname, '../test/fixtures/alerts/metric-fired.json');

export interface AlertRollbackSample {
  releaseId: string;
  /** The canary's share of traffic when the alert was sent. */
  canaryPercent: number;
  /** t0 (just before the POST) -> the alert webhook's answer; it answers after the rollback. */
  postMs: number;
  outcome: string;
  /** t0 -> a GET /api/endpoints answer showing the stable at 100 %. */
  apiShowsStableMs: number;
  /** t0 -> the switch as the router's answers bound it: after the last canary probe was sent, before the next probe was answered. */
  lastCanarySentMs?: number;
  stableOnlyByMs?: number;
  probes: number;
  failedProbes: number;
  canaryAfterPost: number;
}

export interface AlertRollbackBench {
  pipeline: string;
  samples: AlertRollbackSample[];
  /** Rounds that could not be measured (e.g. the analysis rolled the canary back first). */
  skipped: string[];
  /** Baseline: GET /api/health round trips, 5 before each alert. */
  health: Summary;
}

/**
 * Section 5: puts a release of `pipeline` into its prod canary, fires an Azure Monitor
 * metric alert at the prod endpoint and times the way back to 100 % on the stable, as the
 * webhook, the API and the router each show it. The first upload becomes the stable.
 */
export async function measureAlertRollback(client: BenchClient, pipeline = 'alerted', rounds = 5): Promise<AlertRollbackBench> {
  const endpointName = `${pipeline}-prod`;
  const first = `${pipeline}/stable.csv`;
  await client.upload(first, generateCsv({ rows: 2_000, seed: 300 }));
  const base = await client.settledReleaseOf(first);
  if (base.status !== 'succeeded') throw new Error(`bench: the first ${pipeline} release ${base.status}: ${base.reason ?? ''}`);

  const samples: AlertRollbackSample[] = [];
  const skipped: string[] = [];
  const health: number[] = [];
  for (let i = 0; samples.length < rounds && i < rounds + 3; i++) {
    const blob = `${pipeline}/canary-${i}.csv`;
    await client.upload(blob, generateCsv({ rows: 2_000, seed: 301 + i }));
    const release = await inCanary(client, blob);
    const endpoint = (await client.endpoints()).find((e) => e.name === endpointName);
    if (!endpoint) throw new Error(`bench: GET /api/endpoints does not list ${endpointName}`);
    for (let h = 0; h < 5; h++) health.push(await timeHealth(client)); // also opens the connection the POST reuses
    const sample = await alertOnce(client, release, endpoint);
    await client.settledReleaseOf(blob);
    if (typeof sample === 'string') skipped.push(sample);
    else samples.push(sample);
    console.log(
      `  ${release.id}: ${typeof sample === 'string' ? `skipped: ${sample}` : `webhook answered ${sample.outcome} after ${Math.round(sample.postMs)} ms; router switched between ${Math.round(sample.lastCanarySentMs ?? NaN)} and ${Math.round(sample.stableOnlyByMs ?? NaN)} ms`}`,
    );
  }
  if (samples.length === 0) throw new Error(`bench: no alert rollback could be measured (${skipped.join('; ')})`);
  return { pipeline, samples, skipped, health: summarize(health) };
}

/** The release once its canary takes traffic (the canary record is written with the first step). */
async function inCanary(client: BenchClient, blob: string): Promise<Release> {
  const release = await waitFor(
    `the release of ${blob} to reach its prod canary`,
    async () => {
      const r = await client.releaseOf(blob);
      const ended = r && r.status !== 'running' && r.status !== 'queued';
      return ended || (r?.stage === 'canary' && r.canary?.stable) ? r : undefined;
    },
    { intervalMs: 100, giveUpIf: client.stackGone },
  );
  if (release.status !== 'running')
    throw new Error(`bench: the release of ${blob} ended ${release.status} before its canary: ${release.reason ?? ''}`);
  return release;
}

async function alertOnce(client: BenchClient, release: Release, endpoint: EndpointInfo): Promise<AlertRollbackSample | string> {
  const canary = release.deployments.prod!.deployment;
  const stable = release.canary!.stable!;
  if (!(endpoint.traffic[canary]! > 0))
    return `${release.id}: the canary had no traffic when the alert was to be sent (${JSON.stringify(endpoint.traffic)})`;
  const body = alertFor(endpoint);
  const agent = keepAliveAgent(1);
  try {
    const url = `${client.endpointsUrl}/${endpoint.name}/score`;
    const t0 = performance.now();
    const post = fetch(`${client.api}/alerts?code=${encodeURIComponent(client.functionKey())}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then(async (response) => ({
      ms: performance.now() - t0,
      status: response.status,
      json: (await response.json()) as { outcome?: string },
    }));
    const [answer, probe] = await Promise.all([post, probeSwitch(url, agent, t0, canary, stable, post)]);
    if (answer.status !== 200) throw new Error(`bench: POST /api/alerts answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    const outcome = answer.json.outcome ?? '(none)';
    if (outcome !== 'rolled_back')
      return `${release.id}: the alert's outcome was ${outcome}, not rolled_back (the canary had already ended)`;
    const apiShowsStableMs = await waitFor(
      'GET /api/endpoints to show the stable at 100 %',
      async () => {
        const listed = (await client.endpoints()).find((e) => e.name === endpoint.name);
        return listed?.traffic[stable] === 100 ? performance.now() - t0 : undefined;
      },
      { intervalMs: 0, timeoutMs: 10_000 },
    );
    return {
      releaseId: release.id,
      canaryPercent: endpoint.traffic[canary]!,
      postMs: answer.ms,
      outcome,
      apiShowsStableMs,
      ...(probe.lastOldSentMs !== undefined ? { lastCanarySentMs: probe.lastOldSentMs } : {}),
      ...(probe.firstNewAnsweredMs !== undefined ? { stableOnlyByMs: probe.firstNewAnsweredMs } : {}),
      probes: probe.answers.length,
      failedProbes: probe.failed,
      canaryAfterPost: probe.oldAfterSettled,
    };
  } finally {
    agent.destroy();
  }
}

/** The documented metric alert sample, aimed at `endpoint` by ARM id, with an id never seen before. */
function alertFor(endpoint: EndpointInfo): string {
  const alert = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { data: { essentials: Record<string, unknown> } };
  Object.assign(alert.data.essentials, {
    alertId: `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.AlertsManagement/alerts/${randomUUID()}`,
    alertRule: `${endpoint.name}-p99-latency`,
    alertTargetIDs: [endpoint.id.toLowerCase()],
    configurationItems: [endpoint.name],
    firedDateTime: new Date().toISOString(),
    description: `bench: p99 latency of ${endpoint.name} above 500 ms`,
  });
  return JSON.stringify(alert);
}

async function timeHealth(client: BenchClient): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${client.api}/health`);
  await response.text();
  if (!response.ok) throw new Error(`bench: GET /api/health answered ${response.status}`);
  return performance.now() - started;
}
