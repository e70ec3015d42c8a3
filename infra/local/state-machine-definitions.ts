import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../constructs/agent-function.js';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { AgentStack } from '../stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../stage-config.js';

export type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Account the fake ARNs of the local definitions name. */
export const LOCAL_ACCOUNT = '000000000000';
/** Region the fake ARNs of the local definitions name. */
export const LOCAL_REGION = 'us-east-1';

/** The agent's two state machines as the local Step Functions runner takes them. */
export interface AgentStateMachineDefinitions {
  /** The per-tenant hourly cycle (Task states BeginCycle, Plan … Reflect, RecordFailure). */
  readonly cycle: StateMachineDefinition;
  /** The hourly fan-out (ListTenants, the StartCycles Distributed Map, paging). */
  readonly fanOut: StateMachineDefinition;
}

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

let memo: AgentStateMachineDefinitions | undefined;

/**
 * The cycle and fan-out definitions exactly as CDK synthesizes them for the `dev` stage, with
 * CloudFormation tokens resolved to fake ARNs (`arn:aws:lambda:us-east-1:000000000000:function:
 * <LogicalId>`, `arn:aws:states:us-east-1:000000000000:stateMachine:<LogicalId>`), ready for
 * `new StateMachine(definition, { validationOptions: { checkArn: false } })` from
 * aws-local-stepfunctions. Task states are overridden by name
 * (`overrides.taskResourceLocalHandlers`), so the fake ARNs are never called.
 *
 * The app is synthesized in-process with bundling skipped (no esbuild), once per process: the
 * first call takes a few seconds, later calls return the same objects. Treat them as read-only.
 * The result is also cached on disk (node_modules/.cache), keyed by a hash of every source file
 * under infra/, shared/ and functions/ and of package-lock.json, so other processes (test
 * workers, the next agentctl run) skip the synthesis until a source changes;
 * `AGENT_SYNTH_CACHE=off` turns the disk cache off.
 *
 * @example
 * const { cycle } = synthesizeStateMachineDefinitions();
 * const run = new StateMachine(cycle, { validationOptions: { checkArn: false } })
 *   .run(input, { overrides: { taskResourceLocalHandlers: { BeginCycle: beginCycle } } });
 */
export function synthesizeStateMachineDefinitions(): AgentStateMachineDefinitions {
  memo ??= cached(synthesize);
  return memo;
}

function cached(produce: () => AgentStateMachineDefinitions): AgentStateMachineDefinitions {
  if (process.env['AGENT_SYNTH_CACHE'] === 'off') return produce();
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'engagement-agent');
  const file = join(dir, `state-machines-${sourceHash()}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as AgentStateMachineDefinitions;
    } catch {
      // A torn or foreign file: synthesize and overwrite it.
    }
  }
  const definitions = produce();
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(definitions));
  renameSync(partial, file);
  return definitions;
}

/** SHA-256 over the path and content of every source the synthesized definitions can depend on. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) {
        hash.update(relative(REPO_ROOT, path)).update('\0').update(readFileSync(path));
      }
    }
  };
  for (const dir of ['infra', 'shared', 'functions']) visit(join(REPO_ROOT, dir));
  hash.update(readFileSync(join(REPO_ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

function synthesize(): AgentStateMachineDefinitions {
  const outdir = mkdtempSync(join(tmpdir(), 'agent-local-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const config = parseStageConfig({ stage: 'dev' });
    const stack = new AgentStack(app, agentStackName(config), { config });
    const template = app.synth().getStackByName(stack.stackName).template as Template;
    const definitionOf = (element: CfnElement): StateMachineDefinition => {
      const logicalId = Stack.of(element).getLogicalId(element);
      const resource = template.Resources[logicalId];
      if (resource?.Type !== 'AWS::StepFunctions::StateMachine') {
        throw new Error(
          `No AWS::StepFunctions::StateMachine ${logicalId} in the synthesized template`,
        );
      }
      const text = resolveTokens(resource.Properties?.['DefinitionString'], template);
      if (typeof text !== 'string')
        throw new Error(`DefinitionString of ${logicalId} did not resolve to text`);
      return toleratingItemFailures(JSON.parse(text) as StateMachineDefinition);
    };
    return {
      cycle: definitionOf(stack.cycle.stateMachine.node.defaultChild as CfnElement),
      fanOut: definitionOf(stack.fanOut.stateMachine.node.defaultChild as CfnElement),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The fake ARN (or, for other resources, the logical id) standing in for a resource. */
function fakeArn(logicalId: string, template: Template): string {
  switch (template.Resources[logicalId]?.Type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${logicalId}`;
    default:
      return logicalId;
  }
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the intrinsic functions CDK puts into a DefinitionString (`Fn::Join`, `Fn::GetAtt`,
 * `Ref`, `Fn::Select`, `Fn::Split`); anything else is a bug in this resolver, so it throws.
 */
function resolveTokens(value: unknown, template: Template): unknown {
  if (typeof value === 'string' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveTokens(item, template));
  const entries = Object.entries(value as Record<string, unknown>);
  const [intrinsic, argument] = entries[0] ?? [];
  if (entries.length === 1 && intrinsic) {
    switch (intrinsic) {
      case 'Ref': {
        const name = String(argument);
        return PSEUDO_PARAMETERS[name] ?? fakeArn(name, template);
      }
      case 'Fn::GetAtt': {
        const [logicalId] = argument as [string, string];
        return fakeArn(logicalId, template);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(resolveTokens(part, template))).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, unknown];
        return (resolveTokens(list, template) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolveTokens(source, template)).split(separator);
      }
      default:
        if (intrinsic.startsWith('Fn::'))
          throw new Error(`Unsupported intrinsic ${intrinsic} in a state machine definition`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveTokens(item, template)]));
}

type States = Record<string, Record<string, unknown>>;

/**
 * aws-local-stepfunctions 3 ignores a Map's `ToleratedFailurePercentage`, so one failed item would
 * fail the whole Map locally. Where a Map tolerates 100 % (the fan-out), a failed item can never
 * fail the Map on AWS; the local copy therefore ends its items' Fail states in Succeed. Every
 * other state (including the Tasks before the Fail) is left as synthesized.
 */
export function toleratingItemFailures(definition: StateMachineDefinition): StateMachineDefinition {
  const visit = (states: States) => {
    for (const state of Object.values(states)) {
      const processor = (state['ItemProcessor'] ?? state['Iterator']) as
        { States: States } | undefined;
      if (!processor) continue;
      if (state['ToleratedFailurePercentage'] === 100) {
        for (const [name, inner] of Object.entries(processor.States)) {
          if (inner['Type'] === 'Fail') {
            processor.States[name] = {
              Type: 'Succeed',
              Comment: `local stand-in for Fail ${name}`,
            };
          }
        }
      }
      visit(processor.States);
    }
  };
  visit((definition as unknown as { States: States }).States);
  return definition;
}
