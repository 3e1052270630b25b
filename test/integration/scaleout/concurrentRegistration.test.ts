import { azureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

/**
 * Found by the scale-out suite: releases of different pipelines register their job outputs as
 * versions of one evaluation model at the same time. Each took "highest version + 1", so two
 * of them PUT the same version: on the fake the second overwrote the first (its release scored
 * the other's model); in Azure, where a version is immutable, the second PUT is refused.
 */
let fake: ArmMlFake;
let cert: string;

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  fake = await ArmMlFake.start(tls);
});

afterAll(async () => {
  await fake?.stop();
});

describe('concurrent registrations of one model name', () => {
  it('each get a version of their own, and a repeated registration finds its version', async () => {
    const ws = () =>
      azureMlWorkspace({
        environment: 'dev',
        subscriptionId: '00000000-0000-0000-0000-00000000000c',
        resourceGroup: 'rg',
        workspace: 'ws-dev',
        location: 'westeurope',
        credential: staticTokenCredential('fake-token'),
        endpoint: fake.url,
        trustedCa: cert,
        pollIntervalMs: 10,
      });
    // Two hosts, several releases each: separate clients, like separate processes.
    const hosts = [ws(), ws()];
    const register = (i: number) =>
      hosts[i % 2]!.models.registerModel({
        name: 'autopilot-evaluation',
        source: { job: `job-${i}`, output: 'model' },
        idempotencyKey: `evaluation:job-${i}:model`,
        lineage: { jobName: `job-${i}` },
      });
    const registered = await Promise.all([0, 1, 2, 3, 4, 5].map(register));
    expect(new Set(registered.map((m) => m.version)).size).toBe(6);
    for (const [i, model] of registered.entries()) {
      const stored = await hosts[0]!.models.getModel({ name: 'autopilot-evaluation', version: model.version });
      expect({ i, key: stored?.idempotencyKey }).toEqual({ i, key: `evaluation:job-${i}:model` });
    }
    // Idempotent: registering job-3 again returns its version, no new one.
    expect((await register(3)).version).toBe(registered[3]!.version);
    expect(await hosts[1]!.models.listModels('autopilot-evaluation')).toHaveLength(6);
    await Promise.all(hosts.map((h) => h.stop()));
  });
});
