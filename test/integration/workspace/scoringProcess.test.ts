import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScoringServerError } from '../../../adapters/local/inference/launchScoringServer';
import { ScoringProcess } from '../../../adapters/local/inference/scoringProcess';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');

describe('ScoringProcess start-up with a real scoring server', () => {
  let root: string;
  const servers: ScoringProcess[] = [];

  const server = (script: string, gate: string) => {
    const process = new ScoringProcess(
      {
        label: `fixture ${script}`,
        scriptPath: join(fixtures, script),
        codeDir: fixtures,
        modelDir: root,
        environmentVariables: { FIXTURE_GATE: gate },
        liveness: { initial_delay: 1, period: 1, failure_threshold: 60, timeout: 2, success_threshold: 1 },
      },
      { restartDelayMs: 10 },
    );
    servers.push(process);
    return process;
  };

  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'scoring-process-'))));
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it('launches again when the server is killed by a signal before it is live, as Azure ML restarts a crashed container', async () => {
    const gate = join(root, 'gate-killed');
    const scoring = server('gated_init.js', gate);
    const started = scoring.start();
    let failure: string | undefined;
    started.catch((error: Error) => (failure = error.message));
    // init() waits for the gate, so the first server is certainly not live when it is killed.
    const first = await waitFor('the first scoring server to spawn', async () => scoring.pid);
    process.kill(first, 'SIGKILL');
    await waitFor('a second launch', async () => scoring.pid !== undefined && scoring.pid !== first, {
      intervalMs: 50,
      giveUpIf: () => failure,
    });
    writeFileSync(gate, '');
    await started;
    expect(scoring.state).toBe('live');
    expect(scoring.restarts).toBe(1);
    const answer = await fetch(`${scoring.url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(200);
  });

  it('fails at once, without another attempt, when the scoring script itself fails in init()', async () => {
    const scoring = server('bad_init.js', join(root, 'unused'));
    const error = await scoring.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringServerError);
    expect((error as ScoringServerError).killedBy).toBeUndefined();
    expect((error as Error).message).toMatch(/exited \(exit code 1\) before it became live/);
    expect((error as Error).message).toContain('model file is corrupt');
    expect(scoring.restarts).toBe(0);
  });
});
