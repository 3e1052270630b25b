import { parseArmExpression, renderArm } from './armExpression';
import { APP_PRINCIPAL, ofType, props, roleAssignments, template } from './mainTemplate';

const CONDITION = "[parameters('createRegistry')]";
const REGISTRY = { type: 'microsoft.machinelearningservices/registries', segments: ["parameters('registryName')"] };
/** Azure ML's registry name rule (registries REST API 2024-04-01, path parameter registryName). */
const REGISTRY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]{2,32}$/;
/** uniqueString() always returns 13 characters. */
const UNIQUE_STRING = 'a1b2c3d4e5f6g';

const registry = () => ofType('Microsoft.MachineLearningServices/registries');
const onRegistry = () => roleAssignments().filter((a) => a.scope.type === REGISTRY.type);

/** The default registry name for a given prefix: evaluates format() over namePrefix and uniqueString(). */
function defaultRegistryName(prefix: string): string {
  const node = parseArmExpression(template.parameters.registryName!.defaultValue as string);
  if (node.kind !== 'call' || node.name !== 'format' || node.args[0]?.kind !== 'string')
    throw new Error('registryName default is not format(...)');
  const values: Record<string, string> = { "parameters('namePrefix')": prefix, 'uniquestring(resourcegroup().id)': UNIQUE_STRING };
  const args = node.args.slice(1).map((arg) => values[renderArm(arg)] ?? `<${renderArm(arg)}>`);
  return node.args[0].value.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
}

describe('infra/main.json: the Azure ML registry models are promoted through', () => {
  it('creates one registry, named registryName, when createRegistry is on, which it is by default', () => {
    expect(template.parameters.createRegistry).toMatchObject({ type: 'bool', defaultValue: true });
    expect(registry().map((r) => [r.name, r.condition, r.apiVersion])).toEqual([["[parameters('registryName')]", CONDITION, '2024-04-01']]);
  });

  it('derives a registry name Azure ML accepts from the prefix and the resource group, for every allowed prefix length', () => {
    expect(template.parameters.registryName).toMatchObject({ type: 'string', minLength: 3, maxLength: 33 });
    const prefixLength = template.parameters.namePrefix as unknown as { minLength: number; maxLength: number };
    for (const length of [prefixLength.minLength, prefixLength.maxLength]) {
      const name = defaultRegistryName('p'.repeat(length));
      expect(name).toMatch(REGISTRY_NAME);
      expect(name).toContain(UNIQUE_STRING); // registries are discovered by name alone: the suffix keeps it unique
    }
  });

  it('puts the registry and its storage and container registry in the region of the ML workspaces', () => {
    const [r] = registry();
    const workspaceRegions = ofType('Microsoft.MachineLearningServices/workspaces').map((w) => w.location);
    expect(new Set(workspaceRegions)).toEqual(new Set([r!.location]));
    const regions = props(r!).regionDetails as { location: string }[];
    expect(regions.map((d) => d.location)).toEqual([r!.location]);
  });

  it('lets Azure ML create the storage account and a Premium container registry, with a system-assigned identity', () => {
    const [r] = registry();
    expect(r!.identity).toEqual({ type: 'SystemAssigned' });
    const [region] = props(r!).regionDetails;
    expect(region.storageAccountDetails).toEqual([
      {
        systemCreatedStorageAccount: { storageAccountType: 'Standard_LRS', storageAccountHnsEnabled: false, allowBlobPublicAccess: false },
      },
    ]);
    expect(region.acrDetails).toEqual([{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }]);
  });

  it('grants AzureML Registry User on the registry to the function identity and the ML engineers, under the same condition', () => {
    expect(onRegistry().map((a) => [a.role, a.principal, a.principalType, a.scope, a.condition])).toEqual([
      ['azureMLRegistryUser', APP_PRINCIPAL, 'ServicePrincipal', REGISTRY, CONDITION],
      ['azureMLRegistryUser', "[parameters('mlEngineersGroupId')]", 'Group', REGISTRY, CONDITION],
    ]);
    expect((template.variables.roles as Record<string, string>).azureMLRegistryUser).toBe('1823dd4f-9b8c-4ab6-ab4e-7397a3684615');
  });

  it('gives data scientists nothing on the registry', () => {
    expect(onRegistry().filter((a) => a.principal.includes('dataScientistsGroupId'))).toEqual([]);
  });

  it('assigns the roles only once the registry (and the function app, for its identity) exist', () => {
    const registryId = "[resourceId('Microsoft.MachineLearningServices/registries', parameters('registryName'))]";
    const assignments = ofType('Microsoft.Authorization/roleAssignments').filter((r) => r.scope?.includes('registries/'));
    expect(assignments).toHaveLength(2);
    for (const a of assignments) expect(a.dependsOn).toContain(registryId);
    const forApp = assignments.find((a) => props(a).principalId === APP_PRINCIPAL)!;
    expect(forApp.dependsOn).toContain("[resourceId('Microsoft.Web/sites', variables('appName'))]");
  });

  it('outputs registryName, what autopilot.yaml takes as azure.registry.name, and an empty string without a registry', () => {
    expect(template.outputs.registryName).toEqual({
      type: 'string',
      value: "[if(parameters('createRegistry'), parameters('registryName'), '')]",
    });
  });
});
