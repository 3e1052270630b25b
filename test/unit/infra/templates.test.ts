import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callsIn, isArmExpression, parseArmExpression, renderArm } from './armExpression';
import {
  callsWithGuards,
  expressionsIn,
  keyOfResourceIdCall,
  keyOfScope,
  keyText,
  loadTemplate,
  parentKey,
  referencedNames,
  sameKey,
  type ResourceKey,
} from './armTemplate';
import { APP_PRINCIPAL, defined, infraDir as infra, ofType, props, roleAssignments, template } from './mainTemplate';

const example = loadTemplate(join(infra, 'main.parameters.example.json')) as unknown as { parameters: Record<string, { value: unknown }> };

/** Created by autopilot itself at run time (online endpoints): the alerts and endpoint log settings refer to them. */
const CREATED_AT_RUN_TIME = ['microsoft.machinelearningservices/workspaces/onlineendpoints'];

const ROLES = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  azureMLDataScientist: 'f6c7c914-8db3-469d-8ca1-694a8f32e121',
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7',
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893',
  azureMLRegistryUser: '1823dd4f-9b8c-4ab6-ab4e-7397a3684615',
};

/** ARM parameter types and the JSON kind a literal value of each must have. */
const PARAMETER_KINDS: Record<string, string> = {
  string: 'string',
  securestring: 'string',
  int: 'number',
  bool: 'boolean',
  array: 'array',
  object: 'object',
  secureobject: 'object',
};
const jsonKind = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

describe('infra/main.json (ARM template)', () => {
  it('declares the 2019-04-01 deployment template schema', () => {
    expect(template.$schema).toBe('https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#');
  });

  it('uses every parameter it declares, outside the parameter declarations', () => {
    const { parameters, ...rest } = template;
    const used = referencedNames(expressionsIn(rest), 'parameters');
    expect(Object.keys(parameters).filter((p) => !used.has(p))).toEqual([]);
  });

  it('declares an ARM type for every parameter, and gives literal defaults and example values of that type', () => {
    const wrong: string[] = [];
    const check = (name: string, value: unknown, where: string) => {
      const kind = PARAMETER_KINDS[template.parameters[name]!.type.toLowerCase()];
      // An expression default ([format(...)]) is evaluated by ARM, so only literals can be checked here.
      if (typeof value === 'string' && isArmExpression(value)) return;
      if (jsonKind(value) !== kind) wrong.push(`${name}: ${where} ${JSON.stringify(value)} is not ${template.parameters[name]!.type}`);
    };
    for (const [name, p] of Object.entries(template.parameters)) {
      if (!(p.type?.toLowerCase() in PARAMETER_KINDS)) wrong.push(`${name}: type ${String(p.type)}`);
      else if (p.defaultValue !== undefined) check(name, p.defaultValue, 'default');
    }
    for (const [name, { value }] of Object.entries(example.parameters))
      if (name in template.parameters) check(name, value, 'example value');
    expect(wrong).toEqual([]);
  });

  it('declares every parameter and variable it references, and uses every variable', () => {
    const all = expressionsIn(template);
    expect([...referencedNames(all, 'parameters')].filter((p) => !(p in template.parameters))).toEqual([]);
    expect([...referencedNames(all, 'variables')].filter((v) => !(v in template.variables))).toEqual([]);
    const { variables, ...rest } = template;
    const used = new Set([...referencedNames(expressionsIn(rest), 'variables'), ...referencedNames(expressionsIn(variables), 'variables')]);
    expect(Object.keys(variables).filter((v) => !used.has(v))).toEqual([]);
  });

  it('resolves every resourceId, extensionResourceId and scope to a resource the template defines', () => {
    const unresolved: string[] = [];
    const isDefined = (key: ResourceKey) => defined.some((d) => sameKey(d.key, key));
    const check = (key: ResourceKey, where: string) => {
      // A run-time resource cannot be checked, but the workspace it lives in must be one of ours.
      const parent = CREATED_AT_RUN_TIME.includes(key.type) ? parentKey(key) : undefined;
      if (parent && !isDefined(parent)) unresolved.push(`${where}: ${keyText(key)} is not in a resource of this template`);
      else if (!parent && !isDefined(key)) unresolved.push(`${where}: ${keyText(key)}`);
    };
    for (const { path, node } of expressionsIn(template)) {
      for (const call of callsIn(node)) {
        const fn = call.name.toLowerCase();
        if (fn === 'resourceid') check(keyOfResourceIdCall(call.args), path);
        if (fn === 'extensionresourceid') {
          const key = keyOfResourceIdCall(call.args.slice(1));
          const scope = call.args[0]!;
          const target = defined.find((d) => sameKey(d.key, key) && d.resource.scope);
          if (!target) unresolved.push(`${path}: ${keyText(key)}`);
          else if (scope.kind !== 'call' || !sameKey(keyOfScope(target.resource.scope!), keyOfResourceIdCall(scope.args))) {
            unresolved.push(`${path}: ${keyText(key)} is not scoped to ${renderArm(scope)}`);
          }
        }
      }
    }
    for (const r of template.resources) if (r.scope) check(keyOfScope(r.scope), `${r.type} ${r.name} scope`);
    expect(unresolved).toEqual([]);
  });

  it('reads reference() and list*() of a conditional resource, and scopes resources to it, only under its condition', () => {
    const conditionOf = new Map(
      defined.filter((d) => d.resource.condition).map((d) => [keyText(d.key), renderArm(parseArmExpression(d.resource.condition!))]),
    );
    const outside: string[] = [];
    const sources = [
      ...template.resources.map((r) => ({ where: `${r.type} ${r.name}`, value: r as unknown, own: r.condition })),
      ...Object.entries(template.outputs).map(([name, value]) => ({ where: `output ${name}`, value, own: undefined })),
    ];
    for (const { where, value, own } of sources) {
      const ownCondition = own ? renderArm(parseArmExpression(own)) : undefined;
      const guarded = (condition: string, guards: string[]) => condition === ownCondition || guards.includes(condition);
      for (const { node } of expressionsIn(value)) {
        for (const { call, guards } of callsWithGuards(node)) {
          const target = call.args[0];
          if (!/^(reference|list\w*)$/i.test(call.name) || target?.kind !== 'call' || target.name.toLowerCase() !== 'resourceid') continue;
          const condition = conditionOf.get(keyText(keyOfResourceIdCall(target.args)));
          if (condition && !guarded(condition, guards)) outside.push(`${where}: ${renderArm(call)} outside ${condition}`);
        }
      }
      const scope = (value as { scope?: string }).scope;
      const scopeCondition = scope ? conditionOf.get(keyText(keyOfScope(scope))) : undefined;
      if (scopeCondition && scopeCondition !== ownCondition)
        outside.push(`${where}: scoped to a resource deployed only if ${scopeCondition}`);
    }
    expect(outside).toEqual([]);
  });

  it('writes every dependsOn entry as a resourceId of a resource in the template', () => {
    for (const r of template.resources) {
      for (const dependency of r.dependsOn ?? []) {
        const node = parseArmExpression(dependency);
        expect(node.kind === 'call' && ['resourceid', 'extensionresourceid'].includes(node.name.toLowerCase())).toBe(true);
      }
    }
  });

  it('locks the data storage account down: StorageV2, HTTPS only, TLS 1.2, no public blobs, no shared keys', () => {
    const account = ofType('Microsoft.Storage/storageAccounts').find((r) => r.name === "[variables('storageName')]")!;
    expect(account.kind).toBe('StorageV2');
    expect(props(account)).toMatchObject({
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
    });
  });

  it('creates the containers, the steps queue and the state tables the functions use', () => {
    expect(template.parameters.trainingContainers!.defaultValue).toEqual(['training-data']);
    expect(template.variables.dataContainers).toBe(
      "[union(parameters('trainingContainers'), createArray('autopilot-artifacts', 'inference-data', 'ground-truth', 'eventgrid-deadletter', 'app-package'))]",
    );
    const containers = ofType('Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(containers.map((c) => c.name)).toEqual([
      "[format('{0}/default/{1}', variables('storageName'), variables('dataContainers')[copyIndex()])]",
    ]);
    expect((containers[0]!.copy as { count: string }).count).toBe("[length(variables('dataContainers'))]");
    expect(template.variables.stepsQueue).toBe('autopilot-steps');
    expect(template.variables.notificationsQueue).toBe('autopilot-notifications');
    expect(ofType('Microsoft.Storage/storageAccounts/queueServices/queues').map((q) => q.name)).toEqual([
      "[format('{0}/default/{1}', variables('storageName'), variables('stepsQueue'))]",
      "[format('{0}/default/{1}', variables('storageName'), variables('notificationsQueue'))]",
    ]);
    expect(template.variables.tables).toEqual(['autopilot', 'events']);
  });

  it('runs the function app on Flex Consumption (FC1) with Node 22 and a system-assigned identity by default', () => {
    expect(template.parameters.functionPlan).toMatchObject({ defaultValue: 'FlexConsumption' });
    const plan = ofType('Microsoft.Web/serverfarms')[0]!;
    expect(plan.sku).toContain("createObject('name', 'FC1', 'tier', 'FlexConsumption')");
    const app = ofType('Microsoft.Web/sites')[0]!;
    expect(app.identity).toEqual({ type: 'SystemAssigned' });
    expect((template.variables.flexFunctionAppConfig as any).runtime).toEqual({ name: 'node', version: '22' });
    expect(props(app).siteConfig.linuxFxVersion).toContain("'Node|22'");
  });

  it('configures the app for identity-based storage and the azure backend', () => {
    expect(template.variables.baseAppSettings).toMatchObject({
      AzureWebJobsStorage__accountName: "[variables('storageName')]",
      AUTOPILOT_CONFIG: "[parameters('autopilotConfigPath')]",
      AUTOPILOT_BACKEND: 'azure',
    });
    const settings = ofType('Microsoft.Web/sites/config')[0]!;
    expect(settings.properties).toContain("createObject('APPLICATIONINSIGHTS_CONNECTION_STRING'");
    expect(JSON.stringify(template.variables.baseAppSettings)).not.toMatch(/AccountKey|SharedAccessSignature/);
  });

  it("registers in each workspace the credential-less datastore training jobs read the app's split data through", () => {
    const datastores = ofType('Microsoft.MachineLearningServices/workspaces/datastores');
    expect(datastores.map((d) => d.name)).toEqual(
      ['dev', 'staging', 'prod'].map((env) => `[format('{0}/{1}', parameters('${env}WorkspaceName'), variables('dataDatastore'))]`),
    );
    for (const d of datastores) {
      // The job reads as the app's identity (UserIdentity), which holds a data role on the account: no keys in the workspace.
      expect(props(d)).toMatchObject({
        datastoreType: 'AzureBlob',
        accountName: "[variables('storageName')]",
        containerName: 'autopilot-artifacts',
        credentials: { credentialsType: 'None' },
      });
    }
    expect(template.variables.dataDatastore).toBe('autopilot_artifacts');
    expect(template.variables.baseAppSettings).toMatchObject({ AUTOPILOT_DATA_DATASTORE: "[variables('dataDatastore')]" });
    expect(roleAssignments()).toContainEqual(expect.objectContaining({ role: 'storageBlobDataOwner', principal: APP_PRINCIPAL }));
  });

  it('gives each environment its own Azure ML workspace with storage, key vault and Application Insights', () => {
    const workspaces = ofType('Microsoft.MachineLearningServices/workspaces');
    expect(workspaces.map((w) => w.name)).toEqual([
      "[parameters('devWorkspaceName')]",
      "[parameters('stagingWorkspaceName')]",
      "[parameters('prodWorkspaceName')]",
    ]);
    for (const w of workspaces)
      expect(Object.keys(props(w))).toEqual(expect.arrayContaining(['storageAccount', 'keyVault', 'applicationInsights']));
  });

  it('sends BlobCreated under every container of trainingContainers to the blobCreated function, with retries and dead-lettering', () => {
    const subscription = ofType('Microsoft.EventGrid/systemTopics/eventSubscriptions').find((s) => s.name.includes('storageTopicName'))!;
    const p = props(subscription);
    // One subscription per container a pipeline watches (it was training-data only: other containers never triggered).
    expect(subscription.copy).toEqual({ name: 'trainingDataSubscriptions', count: "[length(parameters('trainingContainers'))]" });
    expect(subscription.name).toBe(
      "[format('{0}/{1}-created', variables('storageTopicName'), parameters('trainingContainers')[copyIndex()])]",
    );
    expect(p.filter).toEqual({
      includedEventTypes: ['Microsoft.Storage.BlobCreated'],
      subjectBeginsWith: "[format('/blobServices/default/containers/{0}/', parameters('trainingContainers')[copyIndex()])]",
      isSubjectCaseSensitive: false,
    });
    expect(p.destination.endpointType).toBe('AzureFunction');
    expect(p.destination.properties.resourceId).toBe(
      "[format('{0}/functions/blobCreated', resourceId('Microsoft.Web/sites', variables('appName')))]",
    );
    expect(p.retryPolicy).toBe("[variables('retryPolicy')]");
    expect(template.variables.retryPolicy).toMatchObject({ maxDeliveryAttempts: 30 });
    expect(p.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName).toBe("[variables('deadLetterContainer')]");
    expect(template.variables.deadLetterContainer).toBe('eventgrid-deadletter');
    const topic = ofType('Microsoft.EventGrid/systemTopics').find((t) => t.name === "[variables('storageTopicName')]")!;
    expect(props(topic)).toEqual({
      source: "[resourceId('Microsoft.Storage/storageAccounts', variables('storageName'))]",
      topicType: 'Microsoft.Storage.StorageAccounts',
    });
  });

  it('sends BlobCreated of inference-data blobs to inferenceBlobCreated, which summarises them for the monitors', () => {
    const subscription = ofType('Microsoft.EventGrid/systemTopics/eventSubscriptions').find((s) =>
      s.name.includes('inference-data-created'),
    )!;
    const p = props(subscription);
    expect(p.filter).toEqual({
      includedEventTypes: ['Microsoft.Storage.BlobCreated'],
      subjectBeginsWith: '/blobServices/default/containers/inference-data/',
      subjectEndsWith: '.jsonl',
      isSubjectCaseSensitive: false,
    });
    expect(p.destination.properties.resourceId).toBe(
      "[format('{0}/functions/inferenceBlobCreated', resourceId('Microsoft.Web/sites', variables('appName')))]",
    );
    expect(p.retryPolicy).toBe("[variables('retryPolicy')]");
    expect(p.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName).toBe("[variables('deadLetterContainer')]");
  });

  it('subscribes amlEvents to the run, model and drift events of every workspace', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const topic = ofType('Microsoft.EventGrid/systemTopics').find((t) => t.name === `[variables('${env}TopicName')]`)!;
      expect(props(topic)).toEqual({
        source: `[resourceId('Microsoft.MachineLearningServices/workspaces', parameters('${env}WorkspaceName'))]`,
        topicType: 'Microsoft.MachineLearningServices.Workspaces',
      });
      const subscription = ofType('Microsoft.EventGrid/systemTopics/eventSubscriptions').find((s) => s.name.includes(`${env}TopicName`))!;
      expect(props(subscription).destination.properties.resourceId).toContain("'{0}/functions/amlEvents'");
      expect(props(subscription).filter.includedEventTypes).toBe("[variables('amlEventTypes')]");
    }
    expect((template.variables.amlEventTypes as string[]).map((t) => t.replace('Microsoft.MachineLearningServices.', ''))).toEqual([
      'RunCompleted',
      'RunStatusChanged',
      'ModelRegistered',
      'ModelDeployed',
      'DatasetDriftDetected',
    ]);
  });

  it('grants data scientists the dev workspace only and ML engineers staging, prod and the registry', () => {
    const workspaceOf = (scope: ResourceKey) => scope.segments.join('/');
    const scopesOf = (group: string) => roleAssignments().filter((a) => a.principal === `[parameters('${group}')]`);
    expect(scopesOf('dataScientistsGroupId').map((a) => [a.role, a.principalType, workspaceOf(a.scope)])).toEqual([
      ['azureMLDataScientist', 'Group', "parameters('devWorkspaceName')"],
    ]);
    expect(scopesOf('mlEngineersGroupId').map((a) => [a.role, workspaceOf(a.scope)])).toEqual([
      ['azureMLDataScientist', "parameters('stagingWorkspaceName')"],
      ['azureMLDataScientist', "parameters('prodWorkspaceName')"],
      ['azureMLRegistryUser', "parameters('registryName')"],
    ]);
  });

  it('grants the function identity blob, queue and table data roles on storage and AzureML Data Scientist on every workspace', () => {
    const app = roleAssignments().filter((a) => a.principal.includes("resourceId('Microsoft.Web/sites', variables('appName'))"));
    const onStorage = app.filter((a) => a.scope.type === 'microsoft.storage/storageaccounts').map((a) => a.role);
    const onAppStorage = app
      .filter((a) => a.scope.type === 'microsoft.storage/storageaccounts' && a.scope.segments[0] === "variables('storageName')")
      .map((a) => a.role);
    expect(onAppStorage).toEqual(['storageBlobDataOwner', 'storageQueueDataContributor', 'storageTableDataContributor']);
    // The drift monitors read what Azure ML's data collector wrote into the prod workspace's storage.
    const onProdStorage = app
      .filter((a) => a.scope.type === 'microsoft.storage/storageaccounts' && a.scope.segments[0] === "variables('prodStorageName')")
      .map((a) => a.role);
    expect(onProdStorage).toEqual(['storageBlobDataReader', 'reader']);
    expect(onStorage).toHaveLength(5);
    const onWorkspaces = app.filter((a) => a.scope.type === 'microsoft.machinelearningservices/workspaces');
    expect(onWorkspaces.map((a) => a.scope.segments[0])).toEqual([
      "parameters('devWorkspaceName')",
      "parameters('stagingWorkspaceName')",
      "parameters('prodWorkspaceName')",
    ]);
    expect(onWorkspaces.every((a) => a.role === 'azureMLDataScientist')).toBe(true);
  });

  it('uses the documented built-in role definition ids', () => {
    expect(template.variables.roles).toMatchObject(ROLES);
  });

  it("cites every role it assigns, with its id, in infra/README.md's role table", () => {
    const table = readFileSync(join(infra, 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('|'));
    const roles = template.variables.roles as Record<string, string>;
    const assigned = [...new Set(roleAssignments().map((a) => a.role))];
    expect(assigned.filter((role) => !table.some((line) => line.includes(`\`${roles[role]}\``)))).toEqual([]);
  });

  it('posts alerts in the common alert schema to /api/alerts with a function key', () => {
    const group = ofType('Microsoft.Insights/actionGroups')[0]!;
    const [webhook] = props(group).webhookReceivers;
    expect(webhook.useCommonAlertSchema).toBe(true);
    expect(webhook.serviceUri).toMatch(/^\[format\('https:\/\/\{0\}\/api\/alerts\?code=\{1\}'/);
    expect(webhook.serviceUri).toContain("parameters('alertFunctionKey')");
    expect(props(group).emailReceivers[0].useCommonAlertSchema).toBe(true);
  });

  it('alerts on the prod online endpoint latency and 5xx through the action group', () => {
    const alerts = ofType('Microsoft.Insights/metricAlerts');
    expect(alerts.map((a) => props(a).criteria.allOf[0].metricName)).toEqual(['RequestLatency', 'RequestsPerMinute']);
    expect(props(alerts[1]!).criteria.allOf[0].dimensions).toEqual([{ name: 'statusCodeClass', operator: 'Include', values: ['5xx'] }]);
    for (const a of alerts) {
      expect(props(a).scopes).toEqual([
        "[resourceId('Microsoft.MachineLearningServices/workspaces/onlineEndpoints', parameters('prodWorkspaceName'), parameters('prodEndpointName'))]",
      ]);
      expect(props(a).actions).toEqual([
        { actionGroupId: "[resourceId('Microsoft.Insights/actionGroups', variables('actionGroupName'))]" },
      ]);
    }
  });

  it('targets functions that the app really registers under those names and routes', () => {
    const source = (file: string) => readFileSync(join(infra, '..', 'functions', file), 'utf8');
    expect(source('blobCreated.ts')).toContain("app.eventGrid('blobCreated'");
    expect(source('amlEvents.ts')).toContain("app.eventGrid('amlEvents'");
    // `function-key` routes register with authLevel 'function' (functions/http/respond.ts).
    expect(source('alerts.ts')).toMatch(/apiRoute\(\s*'receiveAlert',\s*\{\s*route: 'alerts',\s*method: 'POST',\s*action: 'function-key'/);
    expect(source('releaseSteps.ts')).toContain('queueName: STEPS_QUEUE');
    expect(readFileSync(join(infra, '..', 'adapters', 'compose.ts'), 'utf8')).toContain(`STEPS_QUEUE = '${template.variables.stepsQueue}'`);
    expect(source('notifications.ts')).toContain('queueName: NOTIFICATIONS_QUEUE');
    expect(readFileSync(join(infra, '..', 'adapters', 'notifications', 'createNotifications.ts'), 'utf8')).toContain(
      `NOTIFICATIONS_QUEUE = '${template.variables.notificationsQueue}'`,
    );
  });

  it('has an example parameters file that sets every required parameter and only declared ones', () => {
    const required = Object.entries(template.parameters)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([name]) => name);
    expect(required.filter((name) => !(name in example.parameters))).toEqual([]);
    expect(Object.keys(example.parameters).filter((name) => !(name in template.parameters))).toEqual([]);
  });
});

describe('the API app registration', () => {
  it('declares exactly the app roles the app maps, with stable ids, for users and applications', () => {
    const { APP_ROLES } = require('../../../shared/auth/appRoles') as typeof import('../../../shared/auth/appRoles');
    const declared = JSON.parse(
      require('node:fs').readFileSync(require('node:path').join(__dirname, '../../../infra/app-roles.json'), 'utf8'),
    ) as { value: string; description: string; id: string; allowedMemberTypes: string[]; isEnabled: boolean }[];
    expect(declared.map((r) => [r.value, r.description])).toEqual(APP_ROLES.map((r) => [r.value, r.description]));
    expect(new Set(declared.map((r) => r.id)).size).toBe(declared.length);
    for (const role of declared)
      expect(role).toMatchObject({
        isEnabled: true,
        allowedMemberTypes: ['User', 'Application'],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
  });
});
