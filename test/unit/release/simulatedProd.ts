import { LoadGenerator } from '../../../adapters/load/loadGenerator';
import { toLoadSettings } from '../../../adapters/load/loadSettings';
import { predictionKey } from '../../../adapters/local/inference/aggregateTraffic';
import { TrafficStore } from '../../../adapters/local/inference/trafficStore';
import type { InvokeResult, LoadRequest, ModelSource, ScoreRequest, ScoreResponse, TrafficWindow } from '../../../shared/ports';
import { FakeWorkspace } from './fakes';

export type Scorer = (source: ModelSource, request: ScoreRequest) => ScoreResponse;

/**
 * A prod workspace whose endpoints answer in memory but whose synthetic load and traffic
 * accounting are the real ones: the LoadGenerator of adapters/load sends, the local
 * router's TrafficStore counts, both on the injected clock. Every deployment scores with
 * the same `scorer`: equal models by construction, so any rollback is a false one.
 * Latency and errors come from `noise`, drawn per request and independent of the arm.
 */
export class SimulatedProd extends FakeWorkspace {
  private readonly store: TrafficStore;
  private readonly generator: LoadGenerator;

  constructor(
    private readonly model: Scorer,
    private readonly noise: () => number,
    now: () => number,
    loadRandom: () => number,
  ) {
    super('prod');
    this.scorer = model;
    this.store = new TrafficStore({ now });
    this.generator = new LoadGenerator(
      async (endpoint, deployment, body) => this.answer(endpoint, deployment, JSON.parse(body) as ScoreRequest, true),
      now,
      loadRandom,
    );
  }

  override async invokeEndpoint(
    endpoint: string,
    request: ScoreRequest,
    options: { deployment?: string; synthetic?: boolean } = {},
  ): Promise<InvokeResult> {
    const { status, deployment, latencyMs, predictions } = this.answer(endpoint, options.deployment, request, options.synthetic ?? false);
    return { status, deployment, latencyMs, body: { predictions } };
  }

  override async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    const current = this.endpoints.get(endpoint)?.deployments.map((d) => d.name) ?? [];
    return this.store.trafficSince(endpoint, since, slowThresholdsMs, current);
  }

  override async ensureLoad(request: LoadRequest): Promise<void> {
    this.generator.ensure(request.id, toLoadSettings(request));
  }

  override async stopLoad(id: string): Promise<void> {
    this.generator.stop(id);
  }

  stopAll(): void {
    this.generator.stopAll();
  }

  /** One request, answered and recorded as the router would (aimed, or by the traffic weights). */
  private answer(endpoint: string, aimed: string | undefined, request: ScoreRequest, synthetic: boolean) {
    const deployment =
      aimed ?? Object.entries(this.endpoints.get(endpoint)?.traffic ?? {}).find(([, percent]) => percent === 100)?.[0] ?? 'none';
    // Log-normal latency around 20 ms and 0.2% errors, the same for every deployment.
    const latencyMs = 20 * Math.exp(0.5 * gaussian(this.noise));
    const status = this.noise() < 0.002 ? 500 : 200;
    const predictions = status === 200 ? this.model({ name: deployment, version: 1 }, request).predictions : [];
    this.store.record(endpoint, deployment, {
      status,
      latencyMs,
      synthetic,
      mirrored: false,
      firstPrediction: predictions[0] === undefined ? undefined : predictionKey(predictions[0]),
    });
    return { status, deployment, latencyMs, predictions };
  }
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
