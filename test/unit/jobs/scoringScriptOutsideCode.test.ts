import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeploymentSpec } from '../../../adapters/local/inference/loadDeploymentSpec';

/** A scoring script outside the folder Azure ML receives (adversarial review); the Dockerfile case is in test/integration/azure/noCodeDeployment.test.ts. */
function project() {
  const root = mkdtempSync(join(tmpdir(), 'adv-spec-'));
  mkdirSync(join(root, 'specs', 'score'), { recursive: true });
  writeFileSync(join(root, 'specs', 'shared_score.py'), 'def init(): pass\ndef run(raw): return raw\n');
  return root;
}

describe('spec paths that escape the folder Azure ML receives', () => {
  it('refuses a scoring_script outside code_configuration.code, since Azure ML uploads only the code folder', async () => {
    const root = project();
    const spec = join(root, 'specs', 'deployment.yaml');
    writeFileSync(spec, 'code_configuration:\n  code: score\n  scoring_script: ../shared_score.py\nenvironment: azureml:sklearn:1\n');
    // It served specs/shared_score.py locally, while Azure got codeId (specs/score only) + scoringScript '../shared_score.py'.
    await expect(loadDeploymentSpec(spec)).rejects.toThrow(/scoring_script/);
  });
});
