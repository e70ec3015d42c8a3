import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  type IScheduleGroup,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution as StartStateMachineTarget } from 'aws-cdk-lib/aws-scheduler-targets';
import {
  type CfnStateMachine,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Errors,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  type IStateMachine,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  CallAwsService,
  LambdaInvoke,
  StepFunctionsStartExecution,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import { METRIC_NAMESPACE } from '../../shared/observability/observability.js';
import { agentMetricDimensions, METRIC_NAMES } from '../../shared/observability/metric-names.js';
import { AgentFunction } from './agent-function.js';
import { EdgeDeadLetterQueue } from './queue-with-dlq.js';
import { acknowledgeStateMachineRoleWildcards, CYCLE_TRANSIENT_ERRORS } from './cycle.js';

/** State names of the fan-out machine; a contract like the cycle's (the local runner overrides Tasks by name). */
export const FAN_OUT_STATES = {
  listTenants: 'ListTenants',
  startCycles: 'StartCycles',
  startCycle: 'StartCycle',
  alreadyStarted: 'AlreadyStarted',
  startFailed: 'StartFailed',
  cycleNotStarted: 'CycleNotStarted',
  morePages: 'MorePages?',
  nextPage: 'NextPage',
  fannedOut: 'FannedOut',
} as const;

/** The error a fan-out item fails with when its cycle could not be started. */
export const CYCLE_START_FAILED_ERROR = 'CycleStartFailed';

/** Label of the Distributed Map's Map Runs (appears in their ARNs). */
const MAP_RUN_LABEL = 'StartCycles';

/** The hourly schedule, in UTC: minute 0 of every hour. */
export const FAN_OUT_SCHEDULE = 'cron(0 * * * ? *)';

/**
 * The error the optimized `states:startExecution` integration raises when the name was already
 * used (a retried or repeated fan-out for the same tenant-hour): `StepFunctions.` + the API's
 * `ExecutionAlreadyExists` + `Exception`. It means the cycle already ran or runs, not a failure.
 */
export const EXECUTION_ALREADY_EXISTS_ERROR = 'StepFunctions.ExecutionAlreadyExistsException';

/**
 * Errors of `states:startExecution` worth retrying. Throttling (`ThrottlingException`, "Rate
 * exceeded") is not a modelled StartExecution error, so the integration reports it under the
 * service's generic `StepFunctions.AWSStepFunctionsException` (the same pattern as
 * `Lambda.AWSLambdaException`); `SdkClientException` is a client-side/network failure;
 * `ExecutionLimitExceededException` is the open-executions quota, which drains as cycles end.
 * `StepFunctions.ThrottlingException` is listed too in case the throttle is surfaced by name.
 */
export const START_EXECUTION_RETRY_ERRORS = [
  'StepFunctions.AWSStepFunctionsException',
  'StepFunctions.ThrottlingException',
  'StepFunctions.SdkClientException',
  'StepFunctions.ExecutionLimitExceededException',
] as const;

/** Props for {@link FanOut}. */
export interface FanOutProps {
  readonly appName: string;
  readonly stage: Stage;
  /** The single table; ListTenants reads the enabled-tenant index. */
  readonly table: ITable;
  /** The per-tenant cycle machine to start once per tenant-hour. */
  readonly cycleStateMachine: IStateMachine;
  /**
   * How many tenants' StartExecution calls run at once; the lever that paces the fan-out against
   * the StartExecution token bucket and downstream Lambda concurrency. @default 40
   */
  readonly maxConcurrency?: number;
  /** Turn the hourly schedule off (the machine can still be started by hand). @default true */
  readonly scheduleEnabled?: boolean;
  /** The agent's schedule group (its Scheduler metrics are alarmed on). @default the account's default group */
  readonly scheduleGroup?: IScheduleGroup;
  /** Retention of the log groups. @default one month */
  readonly logRetention?: RetentionDays;
}

/**
 * The hourly fan-out (capability: schedules): an EventBridge Scheduler schedule
 * (`cron(0 * * * ? *)`, UTC, flexible window 15 minutes so the account's hourly peak is spread)
 * starts a STANDARD machine with `{ "scheduledTime": <aws.scheduler.scheduled-time> }`. The
 * intended time, not the (flexible) start time, fixes the hour, so a late start still starts the
 * right `<tenantId>-<yyyyMMddHH>` executions.
 *
 * ```
 * ListTenants (page of ≤500 enabled tenants → $.page) ─► StartCycles (Distributed Map over $.page.tenantIds)
 *   ─► MorePages? ─ $.page.nextCursor present ─► NextPage (cursor, pageNumber + 1) ─► ListTenants
 *                └─ otherwise ─► FannedOut
 * StartCycle (one per tenant): states:startExecution name = input.executionName = "<tenantId>-<hourKey>"
 *   Catch StepFunctions.ExecutionAlreadyExistsException ─► AlreadyStarted (not a failure);
 *   Catch States.ALL ─► StartFailed (PutMetricData CycleStartsFailed) ─► CycleNotStarted (Fail CycleStartFailed)
 * ```
 *
 * A start that fails after its retries is a **failed Map item**: it counts `CycleStartsFailed`
 * in the agent namespace (the `CycleStartsFailed` alarm pages on it) and fails with
 * `CycleStartFailed`, so the Map Run lists it; the other tenants still start.
 *
 * **Why a Distributed Map, not an inline Map.** A Standard execution's history is capped at
 * 25,000 events and an inline Map writes every iteration's events into the parent's history:
 * about 6 per tenant (iteration started/succeeded, task scheduled/started/submitted/succeeded),
 * so 10,000 tenants would be ~60,000 events and the fan-out would fail part-way. A Distributed Map
 * runs each item as a child workflow with its own history; the parent records one Map Run per
 * page. Items come from the state (the page's `tenantIds`), each becomes
 * `{ tenantId, hourKey }`, results are discarded (nothing downstream needs them), and
 * `toleratedFailurePercentage: 100` keeps one tenant's failure from stopping the others.
 *
 * **Why EXPRESS children.** Each child is one idempotent API call lasting well under a second.
 * Express children cost per request and duration instead of per state transition (Standard
 * children would bill ~4 transitions × 10,000 tenants every hour), and Express's at-least-once
 * semantics are harmless here: the cycle's input is deterministic, so a repeated StartExecution
 * is either accepted as the same running execution or ends in `AlreadyStarted`. (For the same
 * reason the input does not carry the parent's execution id.) The Map Run still lists failed items.
 *
 * **Throughput.** StartExecution is throttled per account and Region by a token bucket: bucket
 * 1,300 refilled at 300/s in us-east-1, us-west-2 and eu-west-1; 800 refilled at 150/s in other
 * Regions (Step Functions developer guide, "Quotas related to API action throttling"; AWS may
 * raise them). With `maxConcurrency` 40 children each making one ~50–250 ms call, the fan-out
 * asks for roughly 150–400 starts/s at most: the bucket absorbs the burst, and a throttled call
 * retries with exponential backoff and full jitter (1 s, ×2, up to 6 attempts, capped at 30 s)
 * instead of failing. 10,000 tenants (20 pages) therefore fan out in about 1–3 minutes in a large
 * Region, well inside the hour. The cycles then run concurrently: raise `maxConcurrency` only
 * with the Lambda concurrency quota in mind (each cycle step is one invocation).
 */
export class FanOut extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;
  /** Where the schedule puts an hour it could not start (after retries, or past `maxEventAge`). */
  readonly scheduleDeadLetterQueue: EdgeDeadLetterQueue;
  readonly listTenants: AgentFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    const removalPolicy = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.listTenants = new AgentFunction(this, 'ListTenantsFunction', {
      name: 'list-tenants',
      appName: props.appName,
      stage: props.stage,
      timeout: Duration.minutes(1),
      logRetention,
      description: 'Fan-out: one page of enabled tenants',
    }).bindTable(props.table);

    const listTenants = new LambdaInvoke(this, FAN_OUT_STATES.listTenants, {
      lambdaFunction: this.listTenants.lambda,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.page',
    }).addRetry({
      errors: [...CYCLE_TRANSIENT_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: JitterType.FULL,
    });

    const executionName = JsonPath.format(
      '{}-{}',
      JsonPath.stringAt('$.tenantId'),
      JsonPath.stringAt('$.hourKey'),
    );
    const startCycle = new StepFunctionsStartExecution(this, FAN_OUT_STATES.startCycle, {
      stateMachine: props.cycleStateMachine,
      integrationPattern: IntegrationPattern.REQUEST_RESPONSE,
      name: executionName,
      input: TaskInput.fromObject({
        tenantId: JsonPath.stringAt('$.tenantId'),
        hourKey: JsonPath.stringAt('$.hourKey'),
        executionName,
      }),
      resultPath: JsonPath.DISCARD,
    })
      .addRetry({
        errors: [...START_EXECUTION_RETRY_ERRORS],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.seconds(30),
        jitterStrategy: JitterType.FULL,
      })
      .addCatch(new Pass(this, FAN_OUT_STATES.alreadyStarted), {
        errors: [EXECUTION_ALREADY_EXISTS_ERROR],
        resultPath: '$.error',
      })
      .addCatch(this.startFailed(props), {
        errors: [Errors.ALL],
        resultPath: '$.error',
      });

    const startCycles = new DistributedMap(this, FAN_OUT_STATES.startCycles, {
      itemsPath: '$.page.tenantIds',
      itemSelector: {
        tenantId: JsonPath.stringAt('$$.Map.Item.Value'),
        hourKey: JsonPath.stringAt('$.page.hourKey'),
      },
      maxConcurrency: props.maxConcurrency ?? 40,
      toleratedFailurePercentage: 100,
      mapExecutionType: StateMachineType.EXPRESS,
      label: MAP_RUN_LABEL,
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(startCycle);

    const nextPage = new Pass(this, FAN_OUT_STATES.nextPage, {
      parameters: {
        scheduledTime: JsonPath.stringAt('$.page.scheduledTime'),
        hourKey: JsonPath.stringAt('$.page.hourKey'),
        cursor: JsonPath.stringAt('$.page.nextCursor'),
        pageNumber: JsonPath.mathAdd(JsonPath.numberAt('$.page.pageNumber'), 1),
      },
    });

    const definition = listTenants
      .next(startCycles)
      .next(
        new Choice(this, FAN_OUT_STATES.morePages)
          .when(Condition.isPresent('$.page.nextCursor'), nextPage.next(listTenants))
          .otherwise(new Succeed(this, FAN_OUT_STATES.fannedOut)),
      );

    this.logGroup = new LogGroup(this, 'LogGroup', {
      // See CycleStateMachine: the vendedlogs prefix keeps the account's Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: logRetention,
      removalPolicy,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Engagement agent: start one cycle per enabled tenant for the scheduled hour',
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      timeout: Duration.minutes(45),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });

    this.scheduleDeadLetterQueue = new EdgeDeadLetterQueue(this, 'ScheduleDeadLetterQueue', {
      edge: 'the hourly fan-out schedule',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      ...(props.scheduleGroup ? { scheduleGroup: props.scheduleGroup } : {}),
      description: 'Hourly fan-out of the engagement agent cycles',
      schedule: ScheduleExpression.expression(FAN_OUT_SCHEDULE),
      timeWindow: TimeWindow.flexible(Duration.minutes(15)),
      enabled: props.scheduleEnabled ?? true,
      target: new StartStateMachineTarget(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        // Scheduler retries a failed start (e.g. throttled) for up to this long; past it the
        // next hour's fan-out is due, so an hour that could not start within the hour is dropped.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.scheduleDeadLetterQueue.queue,
      }),
    });

    acknowledgeStateMachineRoleWildcards(this.stateMachine, [this.listTenants]);
    // The Distributed Map's own policy: Describe/StopExecution on this machine's executions and
    // Map Runs, whose ids exist only at run time. cdk-nag names each finding after the rendered
    // ARN (pseudo parameters as <AWS::…>, or their values in an environment-bound stack), so
    // the acknowledgments are built the same way from this machine's logical id.
    const stack = Stack.of(this);
    const rendered = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
    const machineId = stack.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine);
    const executions =
      `arn:${rendered(stack.partition, 'Partition')}:states:${rendered(stack.region, 'Region')}:` +
      `${rendered(stack.account, 'AccountId')}:execution:` +
      `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineId}"}]}]}`;
    const distributedMapPolicy = this.stateMachine.node.findChild('DistributedMapPolicy');
    for (const resource of [`${executions}:*`, `${executions}/${MAP_RUN_LABEL}:*`]) {
      Validations.of(distributedMapPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'CDK-generated Distributed Map policy: DescribeExecution/StopExecution on executions and ' +
          'Map Runs of this state machine only; their ids are not known before they run.',
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logging level ERROR on purpose: an ALL-level log of the fan-out would list every tenant id ' +
        'hourly; failed starts and Map Run failures are logged and visible in the Map Run.',
    });
  }

  /** Counts the failed start in CloudWatch, then fails the item (the Map tolerates it). */
  private startFailed(props: FanOutProps) {
    const dimensions = agentMetricDimensions(props.appName, props.stage);
    const count = new CallAwsService(this, FAN_OUT_STATES.startFailed, {
      service: 'cloudwatch',
      action: 'putMetricData',
      parameters: {
        Namespace: METRIC_NAMESPACE,
        MetricData: [
          {
            MetricName: METRIC_NAMES.cycleStartsFailed,
            Value: 1,
            Unit: 'Count',
            Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          },
        ],
      },
      iamResources: ['*'],
      iamAction: 'cloudwatch:PutMetricData',
      resultPath: JsonPath.DISCARD,
    });
    // The metric is best effort: a failed PutMetricData still fails the item.
    const notStarted = new Fail(this, FAN_OUT_STATES.cycleNotStarted, {
      error: CYCLE_START_FAILED_ERROR,
      cause: 'StartExecution of the cycle failed after its retries; see the Map Run item',
    });
    count.addCatch(notStarted, { errors: [Errors.ALL], resultPath: JsonPath.DISCARD });
    return count.next(notStarted);
  }
}
