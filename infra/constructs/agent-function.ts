import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import { METRIC_NAMESPACE } from '../../shared/observability/observability.js';
import {
  ENABLED_TENANTS_GSI_PK,
  IDENTITY_PARTITION_PREFIX,
  ORG_PARTITION_PREFIX,
} from '../../shared/storage/keys.js';
import { TABLE_SCHEMA } from '../../shared/storage/table-schema.js';
import {
  TENANT_DATA_ROLE_VARIABLE,
  TENANT_SESSION_TAG,
} from '../../shared/adapters/credentials/tenant-credentials.js';
import {
  FUNCTION_TABLE_ACCESS,
  IDENTITY_READ_ACCESS,
  ORG_SLOT_ACCESS,
  type TableAccess,
  type TableAction,
} from './table-access.js';
import {
  ESM_REQUIRE_BANNER,
  FUNCTION_BUNDLE_ALIASES,
  FUNCTION_BUNDLE_MAIN_FIELDS,
  FUNCTION_BUNDLE_TARGET,
} from './function-bundling.js';

/** The repository root, from this file's place in it (`infra/constructs/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The handler file of a function folder: `functions/<name>/handler.ts` under the repo root. */
export function functionEntry(name: string): string {
  return join(REPO_ROOT, 'functions', name, 'handler.ts');
}

// esbuild's ESM output has no `require`; CommonJS dependencies bundled into it (parts of the
// Powertools dependency tree) call it, so every bundle starts by recreating it.
/** Props for {@link AgentFunction}. */
export interface AgentFunctionProps {
  /** Kebab-case folder under `functions/`; also the Powertools service name. */
  readonly name: string;
  /** Application name, passed to the function as `APP_NAME`. */
  readonly appName: string;
  /** Deployment stage, passed as `STAGE`; `prod` keeps the log group when the stack goes. */
  readonly stage: Stage;
  /** Longest one invocation may run. */
  readonly timeout: Duration;
  /** Memory in MB. @default 512 */
  readonly memorySize?: number;
  /** How long the function's log group keeps events. @default one month */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RETAIN in prod, DESTROY elsewhere */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Extra environment variables; prefer the `bind*` helpers, which grant access too. */
  readonly environment?: Record<string, string>;
  /** Shown in the Lambda console. */
  readonly description?: string;
  /**
   * Concurrency reserved for (and capping) the function; set on internet-facing functions so a
   * flood of requests cannot take the account's concurrency from the cycle. @default none
   */
  readonly reservedConcurrency?: number;
  /**
   * Where asynchronous invocations (EventBridge, Scheduler) land after Lambda's own retries. Set
   * it on every asynchronously invoked function; others are invoked synchronously or by an SQS
   * event source, whose queue's redrive policy is the dead-letter path. @default none
   */
  readonly asyncDeadLetterQueue?: IQueue;
}

/**
 * The house Lambda function (one per `functions/<name>/handler.ts`): Node.js 22 on arm64, X-Ray
 * tracing, the JSON log format, an ESM bundle with source maps (minified, UTF-8, with the AWS SDK
 * bundled too so the tested SDK version ships and cold starts skip resolving it: docs/DECISIONS.md
 * "Bundles"), an explicit log group with retention, and the
 * Powertools environment. Its role starts with nothing but writing to that log group (no
 * AWSLambdaBasicExecutionRole, which would allow creating any log group); each `bind*` helper sets
 * the environment variable the runtime reads together with the least-privilege grant.
 *
 * @example
 * const plan = new AgentFunction(this, 'Plan', { name: 'plan', appName, stage, timeout: Duration.minutes(5) });
 * plan.bindTable(table);
 */
export class AgentFunction extends Construct {
  /** The Lambda function; pass it to integrations (`new LambdaInvoke(..., { lambdaFunction })`). */
  readonly lambda: NodejsFunction;
  /** Where the function logs. */
  readonly logGroup: LogGroup;
  /** The execution role (log group write, X-Ray, and whatever the `bind*` helpers add). */
  readonly role: Role;
  /** The Powertools service name (`functions/<name>`). */
  readonly serviceName: string;
  /** The tenant-scoped role of {@link bindTenantScopedTable}; absent before that call. */
  tenantDataRole?: Role;

  constructor(scope: Construct, id: string, props: AgentFunctionProps) {
    super(scope, id);
    this.serviceName = props.name;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy:
        props.logRemovalPolicy ??
        (props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY),
    });
    this.role = new Role(this, 'ServiceRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambda = new NodejsFunction(this, 'Resource', {
      entry: functionEntry(props.name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      // Lambda's own lines (START, END, REPORT, runtime errors) as JSON too, so every line of the
      // log group parses the same way; Powertools' lines are JSON already and pass through as-is.
      loggingFormat: LoggingFormat.JSON,
      ...(props.description ? { description: props.description } : {}),
      ...(props.asyncDeadLetterQueue ? { deadLetterQueue: props.asyncDeadLetterQueue } : {}),
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        APP_NAME: props.appName,
        STAGE: props.stage,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: FUNCTION_BUNDLE_TARGET,
        platform: 'node',
        mainFields: FUNCTION_BUNDLE_MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        charset: Charset.UTF8,
        sourceMap: true,
        // `--enable-source-maps` makes Node read and JSON.parse the map when the module loads;
        // without the embedded sources it is a third of the size (plan 3.8 → 1.2 MB) and stack
        // traces map to the same file, line and column (docs/DECISIONS.md "Module init").
        sourcesContent: false,
        externalModules: [],
        // node:http(s) through require, not an ESM import (function-bundling.ts).
        esbuildArgs: {
          '--alias': Object.entries(FUNCTION_BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`),
        },
      },
    });

    // Tracing adds the X-Ray statement to the role's default policy; scope the acknowledgment
    // to exactly that finding so any other wildcard on this role still fails synthesis.
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level ' +
        'permissions, so the statement needs Resource "*"; the role has no other wildcard resource.',
    });
    const runtimeReason =
      'Node.js 22 is the pinned runtime: the bundle targets node22 and Powertools 2.35 / middy 6 ' +
      'are the versions tested with it (DESIGN.md section 6); moving to Node.js 24 is a deliberate upgrade.';
    Validations.of(this.lambda).acknowledge({
      id: 'Serverless::Serverless-LambdaLatestVersion',
      reason: runtimeReason,
    });
    if (!props.asyncDeadLetterQueue) {
      Validations.of(this.lambda).acknowledge({
        id: 'Serverless::Serverless-LambdaDLQ',
        reason:
          `The ${props.name} function is invoked synchronously (Step Functions, Function URL) or by ` +
          'an SQS event source whose queue redrives to a DLQ; a function DLQ applies to async invokes only.',
      });
    }
    Validations.of(this.lambda).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the pinned runtime: the bundle targets node22 and Powertools 2.35 / middy 7 ' +
        'are the versions tested with it (DESIGN.md section 6); moving to Node.js 24 is a deliberate upgrade.',
    });
  }

  /**
   * Gives the function the table: sets `TABLE_NAME` and grants exactly the item actions of its
   * entry in {@link FUNCTION_TABLE_ACCESS} (or `access`) on the table, plus Query on each index of
   * {@link TABLE_SCHEMA} when the entry says `queryIndex`. Throws when the function has no entry,
   * so a new function cannot fall back to a whole-table grant.
   */
  bindTable(table: ITable, access?: TableAccess): this {
    const granted =
      access ?? (FUNCTION_TABLE_ACCESS as Record<string, TableAccess>)[this.serviceName];
    if (!granted) {
      throw new Error(
        `${this.serviceName}: no entry in FUNCTION_TABLE_ACCESS (infra/constructs/table-access.ts)`,
      );
    }
    this.lambda.addEnvironment('TABLE_NAME', table.tableName);
    if (granted.actions.length > 0) {
      Grant.addToPrincipal({
        grantee: this.lambda,
        actions: granted.actions.map((action) => `dynamodb:${action}`),
        resourceArns: [table.tableArn],
      });
    }
    if (granted.queryIndex) {
      Grant.addToPrincipal({
        grantee: this.lambda,
        actions: ['dynamodb:Query'],
        resourceArns: TABLE_SCHEMA.globalSecondaryIndexes.map(
          (index) => `${table.tableArn}/index/${index.indexName}`,
        ),
      });
    }
    return this;
  }

  /**
   * Gives the function the table through a tenant-scoped role: the actions of its
   * {@link FUNCTION_TABLE_ACCESS} entry go to a `TenantDataRole` whose policy allows them only on
   * items whose partition key (or gsi1 partition key) is `TENANT#${aws:PrincipalTag/tenant}` or
   * starts with `TENANT#${aws:PrincipalTag/tenant}#`. The execution role gets no table access, only
   * `sts:AssumeRole` + `sts:TagSession` on that role with a `tenant` session tag; the role's ARN is
   * `TENANT_DATA_ROLE_ARN` (read by `cycleRuntimeFromEnvironment`, `ingestRuntimeFromEnvironment`).
   * With `listsEnabledTenants` (the Gmail poller), the entry's gsi1 Query stays on the execution
   * role, limited to the enabled-tenant listing partition (`TENANTS#ENABLED`), the one read that
   * serves no single tenant. The role is {@link tenantDataRole}, for grants beyond the table.
   */
  bindTenantScopedTable(table: ITable, options: { listsEnabledTenants?: boolean } = {}): this {
    const access = (FUNCTION_TABLE_ACCESS as Record<string, TableAccess>)[this.serviceName];
    if (!access) {
      throw new Error(
        `${this.serviceName}: no entry in FUNCTION_TABLE_ACCESS (infra/constructs/table-access.ts)`,
      );
    }
    this.lambda.addEnvironment('TABLE_NAME', table.tableName);
    const tenantRole = new Role(this, 'TenantDataRole', {
      assumedBy: new ArnPrincipal(this.role.roleArn).withSessionTags(),
      maxSessionDuration: Duration.hours(1),
      description: `Table access of the ${this.serviceName} function for one tenant (session tag ${TENANT_SESSION_TAG})`,
    });
    const tenantKey = `TENANT#\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;
    const ownPartitions = {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [tenantKey, `${tenantKey}#*`] },
    };
    if (access.actions.length > 0) {
      tenantRole.addToPolicy(
        new PolicyStatement({
          sid: 'OwnTenantItems',
          actions: access.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: ownPartitions,
        }),
      );
    }
    if (access.queryIndex && options.listsEnabledTenants) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ListEnabledTenants',
          actions: ['dynamodb:Query'],
          resources: TABLE_SCHEMA.globalSecondaryIndexes.map(
            (index) => `${table.tableArn}/index/${index.indexName}`,
          ),
          conditions: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [ENABLED_TENANTS_GSI_PK] },
          },
        }),
      );
    } else if (access.queryIndex) {
      tenantRole.addToPolicy(
        new PolicyStatement({
          sid: 'OwnTenantIndexEntries',
          actions: ['dynamodb:Query'],
          resources: TABLE_SCHEMA.globalSecondaryIndexes.map(
            (index) => `${table.tableArn}/index/${index.indexName}`,
          ),
          conditions: ownPartitions,
        }),
      );
    }
    const orgActions = (ORG_SLOT_ACCESS as Record<string, readonly TableAction[]>)[
      this.serviceName
    ];
    if (orgActions) {
      tenantRole.addToPolicy(
        new PolicyStatement({
          sid: 'OrganisationCycleSlots',
          actions: orgActions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ORG_PARTITION_PREFIX}*`] },
          },
        }),
      );
    }
    const identityReads = (IDENTITY_READ_ACCESS as Record<string, readonly TableAction[]>)[
      this.serviceName
    ];
    if (identityReads) {
      tenantRole.addToPolicy(
        new PolicyStatement({
          sid: 'OwnTenantItemsWithSendingIdentityLadders',
          actions: identityReads.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [
                tenantKey,
                `${tenantKey}#*`,
                `${IDENTITY_PARTITION_PREFIX}*`,
              ],
            },
          },
        }),
      );
    }
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeTenantDataRole',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [tenantRole.roleArn],
        conditions: {
          StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
        },
      }),
    );
    this.lambda.addEnvironment(TENANT_DATA_ROLE_VARIABLE, tenantRole.roleArn);
    this.tenantDataRole = tenantRole;
    return this;
  }

  /**
   * Gives the function a queue under `envName` (e.g. `SEND_QUEUE_URL`): `send` grants
   * SendMessage only; `consume` grants receive/delete/visibility changes.
   */
  bindQueue(queue: IQueue, access: 'send' | 'consume', envName: string): this {
    this.lambda.addEnvironment(envName, queue.queueUrl);
    if (access === 'send') queue.grantSendMessages(this.lambda);
    else queue.grantConsumeMessages(this.lambda);
    return this;
  }

  /** Gives the function read access to an SSM parameter and its name under `envName`. */
  bindParameter(parameter: IStringParameter, envName: string): this {
    this.lambda.addEnvironment(envName, parameter.parameterName);
    parameter.grantRead(this.lambda);
    return this;
  }
}

/** Default timeout of short steps (gates, locks, bookkeeping). */
export const SHORT_STEP_TIMEOUT = Duration.minutes(1);
