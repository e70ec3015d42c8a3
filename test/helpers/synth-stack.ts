import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';

/** A synthesized AgentStack and its template. */
export interface SynthesizedAgentStack {
  readonly app: App;
  readonly stack: AgentStack;
  readonly template: Template;
}

/**
 * Builds the stack as infra/app.ts does (stage config from `context`, both cdk-nag packs as
 * validation plugins, so synthesis throws on an unacknowledged finding) without bundling.
 */
export function synthesizeAgentStack(context: Record<string, unknown> = {}): SynthesizedAgentStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new ServerlessChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  const config = parseStageConfig(context);
  const stack = new AgentStack(app, agentStackName(config), { config });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** One IAM statement as synthesized, `Action` and `Resource` normalized to arrays. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of every AWS::IAM::Policy attached to the role with logical id `roleId`. */
export function roleStatements(template: Template, roleId: string): PolicyStatementJson[] {
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) =>
      (policy.Properties?.['Roles'] as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .flatMap((policy) => {
      const document = policy.Properties?.['PolicyDocument'] as { Statement: unknown[] };
      return document.Statement.map((raw) => {
        const statement = raw as Record<string, unknown>;
        return {
          ...statement,
          Action: [statement['Action']].flat() as string[],
          Resource: [statement['Resource']].flat(),
        } as PolicyStatementJson;
      });
    });
}

/** Lambda functions by Powertools service name (`functions/<name>`), with their role's logical id. */
export function functionsByService(
  template: Template,
): Map<
  string,
  { readonly id: string; readonly roleId: string; readonly properties: Record<string, unknown> }
> {
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  const result = new Map<
    string,
    { id: string; roleId: string; properties: Record<string, unknown> }
  >();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const properties = resource.Properties ?? {};
    const variables = (properties['Environment'] as { Variables: Record<string, unknown> })
      .Variables;
    const role = properties['Role'] as { 'Fn::GetAtt': [string, string] };
    result.set(String(variables['POWERTOOLS_SERVICE_NAME']), {
      id,
      roleId: role['Fn::GetAtt'][0],
      properties,
    });
  }
  return result;
}
