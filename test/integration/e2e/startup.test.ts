import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestStack } from './localStack';

jest.setTimeout(120_000);

describe('start-up of the embedded stack', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'autopilot-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an invalid autopilot.yaml with the file, line and field, and does not start', async () => {
    const config = join(dir, 'autopilot.yaml');
    writeFileSync(
      config,
      'version: 1\npipelines:\n  default:\n    data: { prefix: default }\n    training: { job: job.yaml }\n    deployment: { spec: d.yaml }\n',
    );
    await expect(startTestStack({ config })).rejects.toThrow(
      new RegExp(
        `could not start the local stack: Invalid configuration in ${config}:\\s+- line 4, pipelines.default.data.prefix: must be empty or end with '/'`,
      ),
    );
  });

  it('refuses an autopilot.yaml whose job spec does not exist, naming the resolved path', async () => {
    const config = join(dir, 'missing-spec.yaml');
    writeFileSync(
      config,
      'version: 1\npipelines:\n  default:\n    data: { prefix: default/ }\n    training: { job: jobs/train.yaml }\n    deployment: { spec: d.yaml }\n',
    );
    await expect(startTestStack({ config })).rejects.toThrow(
      /pipelines.default.training.job: jobs\/train.yaml does not exist \(resolved to .*jobs\/train.yaml\)/,
    );
  });
});
