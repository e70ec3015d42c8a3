import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { LIVE_DRAFT_TARGET_MS } from '../../shared/drafting/drafting-runtime.js';
import { AgentFunction } from './agent-function.js';
import { ConfigError } from '../../shared/errors.js';
import { lockLeaseProblem } from '../../shared/domain/lock-lease.js';
import {
  ORG_CYCLE_CONCURRENCY_VARIABLE,
  ORG_SLOT_LEASE_MS,
  parseOrgCycleConcurrency,
} from '../../shared/domain/org-concurrency.js';

/**
 * The cycle's Task states in execution order, then the Catch target. The names are a contract:
 * the local simulator overrides Task states by name, and run records name the failed step.
 */
export const CYCLE_TASK_STATES = [
  'BeginCycle',
  'Plan',
  'Act',
  'React',
  'Reflect',
  'RecordFailure',
] as const;

/** A Task state of the cycle state machine. */
export type CycleTaskState = (typeof CYCLE_TASK_STATES)[number];

/** The cycle's other (non-Task) state names. */
export const CYCLE_STATES = {
  proceed: 'Proceed?',
  skipped: 'Skipped',
  failed: 'Failed',
} as const;

/** The error the cycle execution fails with after RecordFailure has recorded the cause. */
export const CYCLE_FAILED_ERROR = 'CycleFailed';

/**
 * Errors every cycle Task retries: Lambda's own transient failures (service errors, throttling,
 * SDK client errors) and `TransientError`, the name `markTransientErrors` gives a handler's
 * throttling/5xx failures. Everything else goes straight to the Catch.
 */
export const CYCLE_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
] as const;

interface StepSpec {
  /** Folder under `functions/`. */
  readonly functionName: string;
  /**
   * Where the step's result goes in the state; every step keeps the whole state as its input.
   * Absent: the result replaces the state (the ASL default `$`, left out of the definition).
   */
  readonly resultPath?: string;
  readonly timeout: Duration;
}

const LONG_STEP = Duration.minutes(5);
const SHORT_STEP = Duration.minutes(1);

const STEPS: Record<CycleTaskState, StepSpec> = {
  // BeginCycle returns the whole state with `gates` and `lock` set (shared/cycle/cycle-ends.ts).
  BeginCycle: { functionName: 'begin-cycle', timeout: SHORT_STEP },
  Plan: { functionName: 'plan', resultPath: '$.plan', timeout: LONG_STEP },
  Act: { functionName: 'act', resultPath: '$.act', timeout: LONG_STEP },
  React: { functionName: 'react', resultPath: '$.react', timeout: LONG_STEP },
  Reflect: { functionName: 'reflect', resultPath: '$.reflect', timeout: LONG_STEP },
  RecordFailure: { functionName: 'record-failure', resultPath: '$.failure', timeout: SHORT_STEP },
};

/** Props for {@link CycleStateMachine}. */
export interface CycleStateMachineProps {
  readonly appName: string;
  readonly stage: Stage;
  /** Email rollout mode the steps see as `SEND_MODE`. */
  readonly sendMode: SendMode;
  /** The single table; every step reads and writes run records and cards. */
  readonly table: ITable;
  /** Act enqueues `send_email` actions here (`SEND_QUEUE_URL`); no other step may send. */
  readonly sendQueue: IQueue;
  /** The global kill switch BeginCycle reads (`KILL_SWITCH_PARAMETER`). */
  readonly killSwitch: IStringParameter;
  /**
   * Lifetime of the tenant's cycle lock between extensions (`LOCK_TTL_SECONDS`); synthesis
   * refuses one shorter than the longest step timeout plus a margin. @default 900
   */
  readonly lockTtlSeconds?: number;
  /**
   * Cycles of one organisation that may run at once (`ORG_CYCLE_CONCURRENCY` of BeginCycle;
   * shared/domain/org-concurrency.ts). @default DEFAULT_ORG_CYCLE_CONCURRENCY (1)
   */
  readonly orgCycleConcurrency?: number;
  /** Retention of the function and state machine log groups. @default one month */
  readonly logRetention?: RetentionDays;
  /**
   * How Act drafts emails (`LLM_MODE`) and the one Bedrock model it may invoke (`BEDROCK_MODEL_ID`;
   * the grant names that model only, and only in `bedrock` mode). @default template, no grant
   */
  readonly drafting?: {
    readonly mode: 'bedrock' | 'template' | 'off';
    readonly bedrockModelId?: string;
  };
}

/**
 * The hourly cycle of one tenant (capability: cycle): a STANDARD state machine, one
 * {@link AgentFunction} per step.
 *
 * ```
 * BeginCycle ─► Proceed? ─no─► Skipped
 *                  └─yes─► Plan ─► Act ─► React ─► Reflect (end)
 * any Task ─(Catch States.ALL, $.error)─► RecordFailure ─► Failed (CycleFailed)
 * ```
 *
 * Every state entered is a billed transition, so the proceed path has six: BeginCycle checks the
 * gates, opens the run record and takes the tenant lock and organisation slot (`$.gates`,
 * `$.lock`; a refusal is recorded on the run as SKIPPED with its reason), and Reflect's function
 * finishes the run and releases the lock as its last write, ending the execution. Each later Task
 * invokes its function with the whole state as the payload and stores the result under its own
 * key (`$.plan`, `$.act` …), so every step sees the input and the earlier results. Tasks retry only {@link CYCLE_TRANSIENT_ERRORS} (2 s, ×2, 3 attempts, full jitter);
 * the integration's built-in Lambda retry is off so this is the only retry policy. RecordFailure
 * marks the run FAILED and releases the lock, then the execution fails with `CycleFailed`.
 *
 * Execution logs go to CloudWatch at level ERROR without execution data: states carry tenant
 * ids and card counts, and customer data stays out of logs. X-Ray tracing is on.
 */
export class CycleStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  /** One function per Task state. */
  readonly functions: Record<CycleTaskState, AgentFunction>;
  readonly logGroup: LogGroup;
  /** Approvers subscribe here: Act publishes one notice per approval request (assisted phase). */
  readonly approvalTopic: Topic;

  constructor(scope: Construct, id: string, props: CycleStateMachineProps) {
    super(scope, id);
    const removalPolicy = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    const lockTtlSeconds = props.lockTtlSeconds ?? 900;
    const longestPhaseSeconds = Math.max(
      ...Object.values(STEPS).map((step) => step.timeout.toSeconds()),
    );
    const leaseProblem = lockLeaseProblem(lockTtlSeconds, longestPhaseSeconds);
    if (leaseProblem) throw new ConfigError('lockTtlSeconds', leaseProblem);

    const functions = {} as Record<CycleTaskState, AgentFunction>;
    for (const state of CYCLE_TASK_STATES) {
      const step = STEPS[state];
      functions[state] = new AgentFunction(this, `${state}Function`, {
        name: step.functionName,
        appName: props.appName,
        stage: props.stage,
        timeout: step.timeout,
        logRetention,
        description: `Cycle step ${state}`,
        environment: {
          SEND_MODE: props.sendMode,
          LOCK_TTL_SECONDS: String(lockTtlSeconds),
          MAX_PHASE_SECONDS: String(longestPhaseSeconds),
        },
      }).bindTenantScopedTable(props.table);
    }
    functions.BeginCycle.bindParameter(props.killSwitch, 'KILL_SWITCH_PARAMETER');
    functions.BeginCycle.lambda.addEnvironment(
      ORG_CYCLE_CONCURRENCY_VARIABLE,
      String(parseOrgCycleConcurrency(props.orgCycleConcurrency?.toString())),
    );
    functions.Act.bindQueue(props.sendQueue, 'send', 'SEND_QUEUE_URL');
    this.approvalTopic = new Topic(this, 'ApprovalTopic', { enforceSSL: true });
    functions.Act.lambda.addEnvironment('APPROVALS_TOPIC_ARN', this.approvalTopic.topicArn);
    this.approvalTopic.grantPublish(functions.Act.lambda);
    bindDrafting(functions.Act, props.drafting);
    this.functions = functions;

    const task = (state: CycleTaskState): LambdaInvoke => {
      const invoke = new LambdaInvoke(this, state, {
        lambdaFunction: functions[state].lambda,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        ...(STEPS[state].resultPath ? { resultPath: STEPS[state].resultPath } : {}),
      });
      invoke.addRetry({
        errors: [...CYCLE_TRANSIENT_ERRORS],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 3,
        jitterStrategy: JitterType.FULL,
      });
      return invoke;
    };

    const failed = new Fail(this, CYCLE_STATES.failed, {
      error: CYCLE_FAILED_ERROR,
      cause: 'A cycle step failed; RecordFailure wrote the cause to the run record',
    });
    const recordFailure = task('RecordFailure').next(failed);
    const skipped = new Succeed(this, CYCLE_STATES.skipped);

    const steps = {} as Record<Exclude<CycleTaskState, 'RecordFailure'>, LambdaInvoke>;
    for (const state of CYCLE_TASK_STATES) {
      if (state === 'RecordFailure') continue;
      const step = task(state);
      step.addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
      steps[state] = step;
    }

    const definition = steps.BeginCycle.next(
      new Choice(this, CYCLE_STATES.proceed)
        .when(
          Condition.booleanEquals('$.lock.acquired', true),
          steps.Plan.next(steps.Act).next(steps.React).next(steps.Reflect),
        )
        .otherwise(skipped),
    );

    this.logGroup = new LogGroup(this, 'LogGroup', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from adding this log group to the
      // account's CloudWatch Logs resource policy, which is capped at 5,120 characters. The name
      // is unique per stack and construct path; a prod group retained after a stack deletion
      // must be deleted (or imported) before the stack can be created again.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: logRetention,
      removalPolicy,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Engagement agent: one hourly cycle of one tenant',
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      // Organisation slots are leased for exactly this long (a killed execution frees its slot).
      timeout: Duration.millis(ORG_SLOT_LEASE_MS),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });

    acknowledgeStateMachineRoleWildcards(
      this.stateMachine,
      CYCLE_TASK_STATES.map((state) => functions[state]),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logging level ERROR on purpose: cycle states carry tenant ids and action counts, ALL would ' +
        'log every transition of every tenant hourly; failures and their causes are logged and recorded on the run.',
    });
  }
}

/**
 * Acknowledges, finding by finding, the wildcards CDK puts in a state machine role that invokes
 * Lambda functions, logs and traces: `<function ARN>:*` for each function (LambdaInvoke also grants
 * the function's versions and aliases) and `Resource::*` (X-Ray and CloudWatch Logs delivery
 * actions have no resource-level permissions). Any other wildcard on the role still fails synth.
 */
export function acknowledgeStateMachineRoleWildcards(
  stateMachine: StateMachine,
  functions: readonly AgentFunction[],
): void {
  const policy = stateMachine.role.node.findChild('DefaultPolicy');
  const stack = Stack.of(stateMachine);
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing, CloudWatch Logs vended delivery (logs:CreateLogDelivery and friends) and ' +
      "cloudwatch:PutMetricData (the fan-out's CycleStartsFailed count) support no resource-level " +
      'permissions; Step Functions documents Resource "*" for the first two.',
  });
  for (const fn of functions) {
    const logicalId = stack.getLogicalId(fn.lambda.node.defaultChild as CfnFunction);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        `LambdaInvoke grants lambda:InvokeFunction on the ${fn.serviceName} function's versions and ` +
        'aliases (ARN + ":*") next to the function itself; the machine invokes only that function.',
    });
  }
}

/**
 * Sets Act's drafting environment and, in `bedrock` mode, grants `bedrock:InvokeModel` (what the
 * Converse API needs) on the configured foundation model in the stack's region and nothing else.
 */
function bindDrafting(act: AgentFunction, drafting: CycleStateMachineProps['drafting']): void {
  const mode = drafting?.mode ?? 'template';
  act.lambda.addEnvironment('LLM_MODE', mode);
  if (mode !== 'bedrock') return;
  if (!drafting?.bedrockModelId)
    throw new Error('CycleStateMachine: drafting.bedrockModelId is required in bedrock mode');
  act.lambda.addEnvironment('BEDROCK_MODEL_ID', drafting.bedrockModelId);
  act.lambda.addEnvironment('LLM_TIMEOUT_MS', String(LIVE_DRAFT_TARGET_MS));
  Grant.addToPrincipal({
    grantee: act.lambda,
    actions: ['bedrock:InvokeModel'],
    resourceArns: [
      Stack.of(act).formatArn({
        service: 'bedrock',
        account: '',
        resource: 'foundation-model',
        resourceName: drafting.bedrockModelId,
      }),
    ],
  });
}
