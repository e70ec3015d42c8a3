import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  type IScheduleGroup,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import { TENANT_SESSION_TAG } from '../../shared/adapters/credentials/tenant-credentials.js';
import {
  gmailClientSecretName,
  gmailSecretPrefix,
  gmailTenantSecretName,
} from '../../shared/adapters/gmail/secret-layout.js';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { AgentFunction } from './agent-function.js';
import { EdgeDeadLetterQueue, type AgentQueue } from './queue-with-dlq.js';

/** The poller's schedule: every 5 minutes (seeds P0.2: `*\/5 * * * *`). */
export const GMAIL_POLL_SCHEDULE = 'rate(5 minutes)';

/** Longest an ingest invocation runs; the queue's visibility timeout (180 s) is 6× this, as AWS advises. */
export const INGEST_FUNCTION_TIMEOUT = Duration.seconds(30);
/** The ingest function's memory; the bench checks a 25 MB message fits it (`bench/ingest.ts`). */
export const INGEST_FUNCTION_MEMORY_MB = 512;

/** Props for {@link Ingest}. */
export interface IngestProps {
  readonly appName: string;
  readonly stage: Stage;
  /** The single table (dedupe claims, cursor, connection status, contacts, outcomes). */
  readonly table: ITable;
  /** The ingest queue and its DLQ (frozen in AgentStack; this construct only uses them). */
  readonly ingestQueue: AgentQueue;
  /** The kill switch: the poller stops polling while it is on or unreadable. */
  readonly killSwitch: IStringParameter;
  /** Turn the 5-minute schedule off (the poller can still be invoked by hand). @default true */
  readonly scheduleEnabled?: boolean;
  /** The agent's schedule group (its Scheduler metrics are alarmed on). @default the account's default group */
  readonly scheduleGroup?: IScheduleGroup;
  /** Records per ingest invocation. @default 10 */
  readonly batchSize?: number;
  /** Most concurrent ingest invocations (protects the Gmail per-user quota). @default 5 */
  readonly maxConcurrency?: number;
  /** Retention of the functions' log groups. @default one month */
  readonly logRetention?: RetentionDays;
}

/**
 * Gmail ingest (capability: ingest). An EventBridge Scheduler schedule (`rate(5 minutes)`) invokes
 * the **gmail-poller** function, which lists each connected tenant's Gmail history from its
 * cursor and sends the message ids to the ingest queue; the **ingest** function consumes that
 * queue (SQS event source with `ReportBatchItemFailures`, so one bad message is retried alone and
 * lands in the DLQ after `maxReceiveCount`), dedupes, fetches, parses and classifies each message.
 *
 * Credentials: both functions reach the table and the Gmail secrets only through their
 * tenant-scoped role (`bindTenantScopedTable`), assumed per tenant with the `tenant` session tag:
 * that tenant's items, its own refresh-token secret `<app>/<stage>/gmail/tenants/<tenant>` and the
 * shared OAuth client (layout in shared/adapters/gmail/secret-layout.ts). The execution roles read
 * no secret; the poller's keeps one cross-tenant read, the enabled-tenant listing. Neither can
 * write secrets: `agentctl gmail connect` stores tokens with the operator's credentials.
 *
 * @example
 * new Ingest(this, 'Ingest', { appName, stage, table, ingestQueue, killSwitch });
 */
export class Ingest extends Construct {
  readonly poller: AgentFunction;
  readonly ingest: AgentFunction;
  readonly schedule: Schedule;
  /** Polls the schedule could not deliver and poller invocations that failed every async retry. */
  readonly pollDeadLetterQueue: EdgeDeadLetterQueue;
  /** `<app>/<stage>/gmail`: where the functions look for secrets. */
  readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.secretPrefix = gmailSecretPrefix(props.appName, props.stage);
    const stack = Stack.of(this);
    // Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
    const secretArn = (name: string) =>
      stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${name}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const tenantSecretArns = [
      secretArn(
        gmailTenantSecretName(this.secretPrefix, `\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`),
      ),
      secretArn(gmailClientSecretName(this.secretPrefix)),
    ];

    this.pollDeadLetterQueue = new EdgeDeadLetterQueue(this, 'PollDeadLetterQueue', {
      edge: 'the Gmail poll schedule and the poller async invocations',
    });
    this.poller = new AgentFunction(this, 'PollerFunction', {
      name: 'gmail-poller',
      asyncDeadLetterQueue: this.pollDeadLetterQueue.queue,
      appName: props.appName,
      stage: props.stage,
      timeout: Duration.minutes(4),
      logRetention,
      description: 'Gmail ingest: poll each connected tenant history, enqueue message ids',
    })
      .bindTenantScopedTable(props.table, { listsEnabledTenants: true })
      .bindQueue(props.ingestQueue.queue, 'send', 'INGEST_QUEUE_URL')
      .bindParameter(props.killSwitch, 'KILL_SWITCH_PARAMETER');

    this.ingest = new AgentFunction(this, 'IngestFunction', {
      name: 'ingest',
      appName: props.appName,
      stage: props.stage,
      timeout: INGEST_FUNCTION_TIMEOUT,
      logRetention,
      description: 'Gmail ingest: dedupe, fetch, parse, classify and record one message per record',
      memorySize: INGEST_FUNCTION_MEMORY_MB,
      environment: {
        // The claim outlives one invocation but not the queue's visibility timeout.
        INGEST_LEASE_SECONDS: String(QUEUE_DEFINITIONS.ingest.visibilityTimeoutSeconds - 60),
        // Messages fetched and parsed at once share this much of the function's memory.
        INGEST_MEMORY_BUDGET_MB: String(Math.floor(INGEST_FUNCTION_MEMORY_MB * 0.375)),
      },
    }).bindTenantScopedTable(props.table);
    Validations.of(this.ingest.lambda).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source: a record that keeps failing goes to the queue DLQ by its redrive policy ' +
        '(maxReceiveCount), which keeps the message itself; an on-failure destination would hold only metadata.',
    });
    this.ingest.lambda.addEventSource(
      new SqsEventSource(props.ingestQueue.queue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );

    for (const fn of [this.poller, this.ingest]) {
      fn.lambda.addEnvironment('GMAIL_SECRET_PREFIX', this.secretPrefix);
      fn.tenantDataRole!.addToPolicy(
        new PolicyStatement({
          sid: 'OwnGmailSecrets',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: tenantSecretArns,
        }),
      );
    }

    // Our own role for the schedule (instead of the stack-wide one the target would create), so
    // its one finding can be acknowledged on this resource.
    const scheduleRole = new Role(this, 'PollScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: 'EventBridge Scheduler: invoke the Gmail poller',
    });
    this.schedule = new Schedule(this, 'PollSchedule', {
      ...(props.scheduleGroup ? { scheduleGroup: props.scheduleGroup } : {}),
      description: 'Gmail ingest: poll connected mailboxes every 5 minutes',
      schedule: ScheduleExpression.expression(GMAIL_POLL_SCHEDULE),
      enabled: props.scheduleEnabled ?? true,
      target: new LambdaInvoke(this.poller.lambda, {
        role: scheduleRole,
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        // A poll that could not start within 4 minutes is superseded by the next one.
        maxEventAge: Duration.minutes(4),
        retryAttempts: 2,
        deadLetterQueue: this.pollDeadLetterQueue.queue,
      }),
    });
    const pollerId = stack.getLogicalId(this.poller.lambda.node.defaultChild as CfnFunction);
    Validations.of(scheduleRole.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${pollerId}.Arn>:*]`,
      reason:
        'CDK grantInvoke on the Gmail poller adds its qualified ARNs (<function>:*, versions and ' +
        'aliases) beside the function ARN; the role can invoke nothing but the poller.',
    });
  }

  /** Both functions, for alarms and dashboards. */
  get functions(): AgentFunction[] {
    return [this.poller, this.ingest];
  }
}
