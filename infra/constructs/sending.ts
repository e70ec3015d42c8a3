import { Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type CfnFunction, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import { sesTenantPrefix } from '../../shared/domain/ses-tenant.js';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { IDENTITY_PARTITION_PREFIX } from '../../shared/storage/keys.js';
import { SIGNING_KEY_VARIABLES } from '../../shared/sending/signing-key-source.js';
import { AgentFunction } from './agent-function.js';
import { nagRenderedArn } from './nag-arn.js';
import { EdgeDeadLetterQueue } from './queue-with-dlq.js';

/** EventBridge detail types of the SES events the feedback function handles. */
export const SES_FEEDBACK_DETAIL_TYPES = [
  'Email Sent',
  'Email Delivered',
  'Email Rejected',
  'Email Delivery Delayed',
  'Email Rendering Failed',
  'Email Bounced',
  'Email Complaint Received',
] as const;

/** Reserved (and maximum) concurrency of the public unsubscribe function. */
export const UNSUBSCRIBE_RESERVED_CONCURRENCY = 5;

/** Props for {@link Sending}. */
export interface SendingProps {
  readonly appName: string;
  readonly stage: Stage;
  /** The deployment's send mode, the ceiling for every tenant (`SEND_MODE`). */
  readonly sendMode: SendMode;
  readonly table: ITable;
  /** The send queue Act fills; the sender consumes it and puts deferrals back on it. */
  readonly sendQueue: IQueue;
  /** The send queue's DLQ; the sender forwards poison there with its reason on the last delivery. */
  readonly sendDeadLetterQueue: IQueue;
  /** Re-read before every send decision. */
  readonly killSwitch: IStringParameter;
  /**
   * Default From address; its domain must be a verified SES identity.
   * @default `no-reply@example.com` (safe while the mode is dry_run; set it before going live)
   */
  readonly fromAddress?: string;
  /**
   * SES identities (domains or addresses) the sender may send from: `ses:SendEmail` names each
   * identity ARN, and the sender refuses a tenant From address on none (`SES_SENDING_IDENTITIES`).
   * @default the domain of `fromAddress`
   */
  readonly sendingIdentities?: readonly string[];
  /** `EMAIL_INTERNAL_DOMAINS`: domains `internal_only` may send to for every tenant. */
  readonly internalDomains?: readonly string[];
  /** `EMAIL_INTERNAL_ADDRESSES`: addresses `internal_only` may send to for every tenant. */
  readonly internalAddresses?: readonly string[];
  /** Records per sender invocation. @default 10 */
  readonly batchSize?: number;
  /**
   * Every SendEmail names the agent tenant's SES tenant (`SES_TENANT_PREFIX`, IAM on
   * `tenant/<prefix>-*`). The tenants are created by `agentctl tenant enable` with
   * {@link Sending.sesTenantAdminPolicy}. @default false
   */
  readonly sesTenants?: boolean;
  /** Most concurrent sender invocations the queue drives (2–1000). @default 5 */
  readonly maxConcurrency?: number;
  readonly logRetention?: RetentionDays;
}

/**
 * The outbound email pipeline (capability: sending):
 *
 * ```
 * send queue ─(SQS event source, ReportBatchItemFailures)─► sender ─► SES (configuration set)
 *      ▲  └─ DLQ ◄─ poison (reason attached on the last delivery)        │
 *      └── deferrals (delay ≤ 900 s, due time in the body)                │ bounce / complaint
 * unsubscribe Function URL (auth NONE, signed token) ─► suppression       ▼
 *                                EventBridge (default bus) ─► rule ─► ses-feedback ─► suppression,
 *                                                                     rates, pause
 * ```
 *
 * Only the sender may call SES: its role alone gets `ses:SendEmail`, scoped to the From identity
 * and this configuration set. The unsubscribe signing key is a generated Secrets Manager secret
 * that the sender and the unsubscribe function read once per cold start.
 */
export class Sending extends Construct {
  readonly sender: AgentFunction;
  readonly unsubscribe: AgentFunction;
  readonly feedback: AgentFunction;
  readonly configurationSet: ConfigurationSet;
  readonly unsubscribeUrl: FunctionUrl;
  readonly signingKey: Secret;
  readonly feedbackRule: Rule;
  /** SES events the rule could not deliver and feedback invocations that failed every async retry. */
  readonly feedbackDeadLetterQueue: EdgeDeadLetterQueue;
  /** `<appName>-<stage>`: every SES tenant of this stage is named `<prefix>-<tenantId>` (`sesTenantName`). */
  readonly sesTenantPrefix: string;
  /**
   * What an operator needs to create this stage's SES tenants and associate the stage's identities
   * and configuration set with them (`agentctl tenant enable`); attach it to the operator's role.
   */
  readonly sesTenantAdminPolicy: ManagedPolicy;
  /** The configuration set's ARN (associated with every SES tenant). */
  readonly configurationSetArn: string;
  /** The domain of the default From address: the identity of tenants with no `sending.fromAddress`. */
  readonly defaultFromDomain: string;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fromAddress = props.fromAddress ?? 'no-reply@example.com';
    const fromDomain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
    const sendingIdentities = props.sendingIdentities ?? [fromDomain];
    this.sesTenantPrefix = sesTenantPrefix(props.appName, props.stage);
    const tenantResource = `tenant/${this.sesTenantPrefix}-*`;
    const common = {
      appName: props.appName,
      stage: props.stage,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    };

    this.signingKey = new Secret(this, 'UnsubscribeSigningKey', {
      description: 'HMAC key that signs unsubscribe links (List-Unsubscribe and the body link)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Unsubscribe links must keep working for 90 days, so the key rotates by hand, not on a ' +
        'schedule: tokens carry a key id, and the secret becomes {"current":"k1","keys":{"k0":…,"k1":…}} ' +
        'with the old key listed until its links expire (see loadSigningKeys).',
    });

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    new ConfigurationSetEventDestination(this, 'FeedbackEvents', {
      configurationSet: this.configurationSet,
      destination: EventDestination.eventBus(
        EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      // Bounces and complaints suppress; every event also settles an in-doubt send by its tag.
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.RENDERING_FAILURE,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
      ],
    });

    // Unsubscribe endpoint.
    this.unsubscribe = new AgentFunction(this, 'UnsubscribeFunction', {
      name: 'unsubscribe',
      ...common,
      timeout: Duration.seconds(10),
      // Internet-facing without auth: at most this many concurrent requests (each is one PutItem
      // of well under a second, so ~50 unsubscribes/s); excess requests get 429 and mail
      // clients retry one-click unsubscribes.
      reservedConcurrency: UNSUBSCRIBE_RESERVED_CONCURRENCY,
      description:
        'Unsubscribe Function URL (one-click or form POST; GET shows the confirmation form)',
    }).bindTable(props.table);
    this.unsubscribe.lambda.addEnvironment(
      SIGNING_KEY_VARIABLES.secretArn,
      this.signingKey.secretArn,
    );
    this.signingKey.grantRead(this.unsubscribe.lambda);
    this.unsubscribeUrl = this.unsubscribe.lambda.addFunctionUrl({
      // Recipients' mail clients POST here without credentials (RFC 8058); the signed token is the authorization.
      authType: FunctionUrlAuthType.NONE,
    });

    // Sender.
    this.sender = new AgentFunction(this, 'SenderFunction', {
      name: 'sender',
      ...common,
      // The send queue's visibility timeout (180 s) is 6x this, as AWS advises for SQS sources.
      timeout: Duration.seconds(30),
      description: 'Send queue consumer: send gate, caps, idempotent SES sends',
      environment: {
        SEND_MODE: props.sendMode,
        EMAIL_FROM_ADDRESS: fromAddress,
        SES_SENDING_IDENTITIES: sendingIdentities.join(','),
        SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
        UNSUBSCRIBE_BASE_URL: this.unsubscribeUrl.url,
        [SIGNING_KEY_VARIABLES.secretArn]: this.signingKey.secretArn,
        EMAIL_INTERNAL_DOMAINS: (props.internalDomains ?? []).join(','),
        EMAIL_INTERNAL_ADDRESSES: (props.internalAddresses ?? []).join(','),
        SEND_MAX_RECEIVE_COUNT: String(QUEUE_DEFINITIONS.send.maxReceiveCount),
        SEND_CLAIM_TTL_SECONDS: '300',
      },
    })
      .bindTenantScopedTable(props.table)
      .bindParameter(props.killSwitch, 'KILL_SWITCH_PARAMETER')
      .bindQueue(props.sendQueue, 'send', 'SEND_QUEUE_URL')
      .bindQueue(props.sendDeadLetterQueue, 'send', 'SEND_DLQ_URL');
    this.signingKey.grantRead(this.sender.lambda);
    // Tenant items go through the tenant role; the execution role keeps the one shared kind of
    // item, a sending identity's day counters and warm-up ladder (written by every tenant on it).
    this.sender.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SharedSendingIdentityItems',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [`${IDENTITY_PARTITION_PREFIX}*`],
          },
        },
      }),
    );
    // A deferred send hops back onto its own queue every <= 15 minutes until due; Lambda's
    // recursive-loop detection would drop it after 16 hops, so the loop is declared intended.
    (this.sender.lambda.node.defaultChild as CfnFunction).recursiveLoop = 'Allow';
    Validations.of(this.sender.lambda).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source: a record that keeps failing goes to the queue DLQ by its redrive policy ' +
        '(maxReceiveCount), which keeps the message itself; an on-failure destination would hold only metadata.',
    });
    this.sender.lambda.addEventSource(
      new SqsEventSource(props.sendQueue, {
        batchSize: props.batchSize ?? 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    if (props.sesTenants)
      this.sender.lambda.addEnvironment('SES_TENANT_PREFIX', this.sesTenantPrefix);
    const identityArns = [...new Set([...sendingIdentities, fromAddress])].map((identity) =>
      Arn.format({ service: 'ses', resource: 'identity', resourceName: identity }, stack),
    );
    this.defaultFromDomain = fromDomain.toLowerCase();
    const configurationSetArn = (this.configurationSetArn = Arn.format(
      {
        service: 'ses',
        resource: 'configuration-set',
        resourceName: this.configurationSet.configurationSetName,
      },
      stack,
    ));
    const tenantArns = Arn.format(
      { service: 'ses', resource: tenantResource, arnFormat: ArnFormat.NO_RESOURCE_NAME },
      stack,
    );
    this.sesTenantAdminPolicy = new ManagedPolicy(this, 'SesTenantAdminPolicy', {
      description: `Operator: create ${this.sesTenantPrefix}-* SES tenants and associate this stage's identities and configuration set`,
      statements: [
        new PolicyStatement({
          sid: 'CreateThisStagesSesTenants',
          actions: ['ses:CreateTenant', 'ses:GetTenant', 'ses:TagResource'],
          resources: [tenantArns],
        }),
        new PolicyStatement({
          sid: 'AssociateThisStagesResources',
          actions: ['ses:CreateTenantResourceAssociation'],
          resources: [tenantArns, ...identityArns, configurationSetArn],
        }),
      ],
    });
    Validations.of(this.sesTenantAdminPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRenderedArn(stack, 'ses', tenantResource)}]`,
      reason:
        `SES tenants are created per agent tenant at enable time, so only their name prefix ` +
        `(${this.sesTenantPrefix}-) is known at synth; SES appends the tenant id to the ARN.`,
    });
    this.sender.lambda.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendThroughTheConfigurationSet',
        actions: ['ses:SendEmail'],
        resources: [
          // The default From address too: SES authorizes against an address identity when one is verified.
          ...identityArns,
          configurationSetArn,
          // SendEmail with TenantName is authorized against the tenant too.
          ...(props.sesTenants ? [tenantArns] : []),
        ],
      }),
    );
    if (props.sesTenants)
      Validations.of(this.sender.role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagRenderedArn(stack, 'ses', tenantResource)}]`,
        reason: `Sends as this stage's SES tenants only (${this.sesTenantPrefix}-*); each is created at tenant enable time and its ARN ends in an id SES assigns.`,
      });

    // Bounce and complaint feedback.
    // A lost bounce or complaint is a missed suppression: both the rule target and the function's
    // async invocations dead-letter here.
    this.feedbackDeadLetterQueue = new EdgeDeadLetterQueue(this, 'FeedbackDeadLetterQueue', {
      edge: 'the SES event rule target and the ses-feedback async invocations',
    });
    this.feedback = new AgentFunction(this, 'FeedbackFunction', {
      name: 'ses-feedback',
      asyncDeadLetterQueue: this.feedbackDeadLetterQueue.queue,
      ...common,
      timeout: Duration.seconds(30),
      description:
        'SES events: settles in-doubt sends; bounces/complaints: suppression, rates, auto-pause',
    }).bindTenantScopedTable(props.table);
    this.feedbackRule = new Rule(this, 'FeedbackRule', {
      description: 'SES sending events of the agent configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_FEEDBACK_DETAIL_TYPES],
        detail: {
          mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new LambdaFunction(this.feedback.lambda, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.feedbackDeadLetterQueue.queue,
        }),
      ],
    });
  }
}
