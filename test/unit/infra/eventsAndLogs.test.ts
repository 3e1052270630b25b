import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArmExpression, renderArm } from './armExpression';
import { callsWithGuards, keyOfScope, type ResourceKey } from './armTemplate';
import { APP_PRINCIPAL, RESOURCE_GROUP, infraDir, ofType, props, roleAssignments, template } from './mainTemplate';

const canonical = (expression: string) => renderArm(parseArmExpression(expression));
const appRoles = () => roleAssignments().filter((a) => a.principal === APP_PRINCIPAL);
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const LOG_ANALYTICS_ID = "[resourceId('Microsoft.OperationalInsights/workspaces', variables('logAnalyticsName'))]";

describe("infra/main.json: the app's own events and Log Analytics", () => {
  describe('Event Grid custom topic (publishEvents)', () => {
    const topic = ofType('Microsoft.EventGrid/topics')[0]!;

    it('takes CloudEvents 1.0 and Entra ID tokens only (no access keys), when publishEvents is on, which it is by default', () => {
      expect(template.parameters.publishEvents).toMatchObject({ type: 'bool', defaultValue: true });
      expect(topic.condition).toBe("[parameters('publishEvents')]");
      expect(topic.name).toBe("[variables('eventsTopicName')]");
      expect(props(topic)).toMatchObject({ inputSchema: 'CloudEventSchemaV1_0', disableLocalAuth: true });
    });

    it('lets the function identity send to that topic only: EventGrid Data Sender scoped to it, under the same condition', () => {
      const senders = appRoles().filter((a) => a.role === 'eventGridDataSender');
      expect(senders.map((a) => [a.scope, a.condition])).toEqual([
        [{ type: 'microsoft.eventgrid/topics', segments: ["variables('eventsTopicName')"] }, "[parameters('publishEvents')]"],
      ]);
    });

    it("sets AUTOPILOT_EVENTGRID_ENDPOINT to the topic's endpoint, and only when publishEvents is on", () => {
      const settings = ofType('Microsoft.Web/sites/config')[0]!;
      const endpoint = callsWithGuards(parseArmExpression(settings.properties as string)).filter(
        ({ call }) =>
          call.name === 'createObject' && call.args[0]?.kind === 'string' && call.args[0].value === 'AUTOPILOT_EVENTGRID_ENDPOINT',
      );
      expect(endpoint.map(({ call, guards }) => [renderArm(call.args[1]!), guards])).toEqual([
        [
          canonical("[reference(resourceId('Microsoft.EventGrid/topics', variables('eventsTopicName')), '2022-06-15').endpoint]"),
          ["parameters('publishEvents')"],
        ],
      ]);
      expect(settings.dependsOn).toContain("[resourceId('Microsoft.EventGrid/topics', variables('eventsTopicName'))]");
    });

    it('uses the setting name the app reads its topic from', () => {
      const source = readFileSync(join(infraDir, '..', 'adapters', 'settingsSchema.ts'), 'utf8');
      expect(source).toContain('AUTOPILOT_EVENTGRID_ENDPOINT');
    });
  });

  describe('Log Analytics', () => {
    const workspace = ofType('Microsoft.OperationalInsights/workspaces')[0]!;

    it('keeps data for logRetentionDays (default 30) on the PerGB2018 plan', () => {
      expect(template.parameters.logRetentionDays).toMatchObject({ type: 'int', defaultValue: 30 });
      expect(props(workspace)).toEqual({ sku: { name: 'PerGB2018' }, retentionInDays: "[parameters('logRetentionDays')]" });
    });

    it('backs Application Insights (workspace-based), which every ML workspace shares', () => {
      const insights = ofType('Microsoft.Insights/components')[0]!;
      expect(props(insights).WorkspaceResourceId).toBe(LOG_ANALYTICS_ID);
      for (const w of ofType('Microsoft.MachineLearningServices/workspaces')) {
        expect(props(w).applicationInsights).toBe("[resourceId('Microsoft.Insights/components', variables('appInsightsName'))]");
      }
    });

    it("receives the console, traffic and event logs of each listed pipeline's online endpoint in dev, staging and prod", () => {
      expect(template.parameters.endpointLogPipelines).toMatchObject({ type: 'array', defaultValue: [] });
      expect(template.variables.endpointLogs).toEqual(
        ['AmlOnlineEndpointConsoleLog', 'AmlOnlineEndpointTrafficLog', 'AmlOnlineEndpointEventLog'].map((category) => ({
          category,
          enabled: true,
        })),
      );
      const settings = ofType('Microsoft.Insights/diagnosticSettings');
      // The categories exist only on workspaces/onlineEndpoints, not on the workspace itself.
      expect(settings.map((s) => keyOfScope(s.scope!))).toEqual(
        ENVIRONMENTS.map((env): ResourceKey => ({
          type: 'microsoft.machinelearningservices/workspaces/onlineendpoints',
          segments: [
            `parameters('${env}WorkspaceName')`,
            canonical(`[format('{0}-${env}', parameters('endpointLogPipelines')[copyIndex()])]`),
          ],
        })),
      );
      for (const s of settings) {
        expect((s.copy as { count: string }).count).toBe("[length(parameters('endpointLogPipelines'))]");
        expect(props(s)).toEqual({ workspaceId: LOG_ANALYTICS_ID, logs: "[variables('endpointLogs')]" });
      }
    });

    it('lets the function identity query it (Log Analytics Reader on the workspace)', () => {
      const readers = appRoles().filter((a) => a.role === 'logAnalyticsReader');
      expect(readers.map((a) => a.scope)).toEqual([
        { type: 'microsoft.operationalinsights/workspaces', segments: ["variables('logAnalyticsName')"] },
      ]);
    });

    it('outputs the customer id (the GUID autopilot.yaml takes as logAnalyticsWorkspaceId), not the resource id', () => {
      expect(template.outputs.logAnalyticsWorkspaceId).toEqual({
        type: 'string',
        value:
          "[reference(resourceId('Microsoft.OperationalInsights/workspaces', variables('logAnalyticsName')), '2023-09-01').customerId]",
      });
    });
  });

  it('lets the function identity read the Azure Monitor metrics of every ML workspace (Monitoring Reader over it)', () => {
    const scopes = appRoles()
      .filter((a) => a.role === 'monitoringReader')
      .map((a) => a.scope);
    // The template deploys the workspaces into the resource group, so a resource-group assignment covers them.
    const covers = (env: string) =>
      scopes.some(
        (s) =>
          s.type === RESOURCE_GROUP.type ||
          (s.type === 'microsoft.machinelearningservices/workspaces' && s.segments[0] === `parameters('${env}WorkspaceName')`),
      );
    expect(ENVIRONMENTS.filter((env) => !covers(env))).toEqual([]);
  });
});
