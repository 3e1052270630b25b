import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentIdFor } from '../../../adapters/azure/workspace/environmentAssets';
import type { ArmWorkspaceClient } from '../../../adapters/azure/workspace/armWorkspaceClient';
import { loadDeploymentSpec } from '../../../adapters/local/inference/loadDeploymentSpec';

/** Paths in job/deployment YAML that leave the folder Azure ML is given (adversarial). */

function project() {
  const root = mkdtempSync(join(tmpdir(), 'adv-spec-'));
  mkdirSync(join(root, 'specs', 'docker'), { recursive: true });
  mkdirSync(join(root, 'specs', 'score'), { recursive: true });
  // The Dockerfile sits beside the context folder, not in it.
  writeFileSync(join(root, 'specs', 'Dockerfile'), 'FROM python:3.11-slim\n');
  writeFileSync(join(root, 'specs', 'docker', 'requirements.txt'), 'scikit-learn\n');
  writeFileSync(join(root, 'specs', 'shared_score.py'), 'def init(): pass\ndef run(raw): return raw\n');
  return root;
}

function fakeArm() {
  const uploaded: string[] = [];
  const created: unknown[] = [];
  const arm = {
    rg: 'rg', ws: 'ws', workspacePath: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws',
    async codeAsset(folder: string) {
      uploaded.push(folder);
      return { id: 'code-id', uri: 'https://blob.test/code/ctx/' };
    },
    client: {
      environmentVersions: {
        get: async () => Promise.reject(Object.assign(new Error('not found'), { statusCode: 404 })),
        createOrUpdate: async (_rg: string, _ws: string, name: string, version: string, body: unknown) => {
          created.push(body);
          return { id: `/environments/${name}/versions/${version}` };
        },
      },
    },
  } as unknown as ArmWorkspaceClient;
  return { arm, uploaded, created };
}

describe('spec paths that escape the folder Azure ML receives', () => {
  it("refuses an inline environment whose build.dockerfile_path ('../Dockerfile') is outside the uploaded build context", async () => {
    const root = project();
    const { arm, created } = fakeArm();
    const environment = { build: { path: 'docker', dockerfile_path: '../Dockerfile' } };
    // Today: the existence check resolves ../Dockerfile outside the context, finds it, uploads only
    // specs/docker and registers dockerfilePath '../Dockerfile', which Azure ML's image build cannot find.
    await expect(environmentIdFor(environment, join(root, 'specs', 'deployment.yaml'), arm)).rejects.toThrow(/dockerfile_path/);
    expect(created).toHaveLength(0);
  });

  it("refuses a scoring_script outside code_configuration.code locally, since Azure ML uploads only the code folder", async () => {
    const root = project();
    const spec = join(root, 'specs', 'deployment.yaml');
    writeFileSync(spec, 'code_configuration:\n  code: score\n  scoring_script: ../shared_score.py\nenvironment: azureml:sklearn:1\n');
    // Today: the local stack serves specs/shared_score.py; Azure gets codeId (specs/score only) + scoringScript '../shared_score.py'.
    await expect(loadDeploymentSpec(spec)).rejects.toThrow(/scoring_script/);
  });
});
