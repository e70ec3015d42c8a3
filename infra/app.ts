import { Annotations, App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError } from '../shared/errors.js';
import { AgentStack } from './stacks/agent-stack.js';
import {
  agentStackName,
  parseStageConfig,
  STAGE_CONTEXT_KEYS,
  type StageConfig,
} from './stage-config.js';

// The CDK app: the only place that reads CDK context and the environment; everything below it
// takes typed props. `npx cdk synth` needs no AWS credentials: without CDK_DEFAULT_ACCOUNT/REGION
// the stack is environment-agnostic.
const app = new App();

const warnings: string[] = [];
let config: StageConfig;
try {
  config = parseStageConfig(
    Object.fromEntries(STAGE_CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)])),
    { warn: (message) => warnings.push(message) },
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Invalid CDK context (-c key=value or cdk.json "context"): ${error.message}`);
  process.exit(1);
}

// cdk-nag 3 is a policy-validation plugin: any unacknowledged AwsSolutions or Serverless finding
// fails synth. Acknowledgments are copied into the template metadata (cdk_nag.rules_to_suppress) for audit.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  new ServerlessChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
);

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stack = new AgentStack(app, agentStackName(config), {
  config,
  env: account || region ? { account, region } : undefined,
});
for (const warning of warnings) {
  Annotations.of(stack).addWarningV2('engagement-agent:stage-config', warning);
}

Tags.of(app).add('app', config.appName);
Tags.of(app).add('stage', config.stage);
