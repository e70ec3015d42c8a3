import type { ModelAccess, ModelAccessInspector } from './preflight.js';
import { SYSTEM_DNS } from '../../shared/adapters/dns/dns-resolver.js';
import { SesIdentityDirectory } from '../../shared/adapters/ses/identity-directory.js';
import {
  domainHealthCheck,
  type DomainHealthCheck,
} from '../../shared/sending/domain-health-check.js';
import { loadLocalIdentityPorts } from '../local/local-identities.js';
import { CloudWatchClient, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import {
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  SESv2Client,
  paginateListConfigurationSets,
  paginateListEmailIdentities,
} from '@aws-sdk/client-sesv2';

/** An alarm currently in ALARM. */
export interface FiringAlarm {
  readonly name: string;
  readonly reason: string;
  readonly since?: string;
}

/** Reads the stack's alarms (CloudWatch on AWS; nothing locally). */
export interface AlarmReader {
  /** Alarms named `<stackName>-…` that are in ALARM now. */
  firing(): Promise<FiringAlarm[]>;
}

/** One SES identity and its verification state. */
export interface EmailIdentityStatus {
  readonly name: string;
  readonly type: string;
  readonly verified: boolean;
  /** SES DKIM status: SUCCESS, PENDING, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  readonly dkim: string;
}

/** One SES configuration set and its event destinations. */
export interface ConfigurationSetStatus {
  readonly name: string;
  readonly destinations: readonly {
    readonly name: string;
    readonly enabled: boolean;
    readonly events: readonly string[];
  }[];
}

/** Reads the SES sending setup (SESv2 on AWS). */
export interface EmailSetupInspector {
  identities(): Promise<EmailIdentityStatus[]>;
  configurationSets(): Promise<ConfigurationSetStatus[]>;
}

/** Subscriptions of the alarm topic; `undefined` when the topic was not found. */
export interface AlarmTopicInspector {
  subscriptions(): Promise<
    { readonly topicArn: string; readonly confirmed: number; readonly pending: number } | undefined
  >;
}

/** CloudWatch alarms whose names start with `<stackName>-` (how AgentAlarms names them). */
export function cloudWatchAlarmReader(client: CloudWatchClient, stackName: string): AlarmReader {
  return {
    firing: async () => {
      const firing: FiringAlarm[] = [];
      const pages = paginateDescribeAlarms(
        { client },
        {
          AlarmNamePrefix: `${stackName}-`,
          StateValue: 'ALARM',
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        },
      );
      for await (const page of pages) {
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          firing.push({
            name: alarm.AlarmName ?? 'unnamed',
            reason: alarm.StateReason ?? '',
            ...(alarm.StateUpdatedTimestamp
              ? { since: alarm.StateUpdatedTimestamp.toISOString() }
              : {}),
          });
        }
      }
      return firing;
    },
  };
}

/** SES identities and configuration sets through SESv2. */
export function sesEmailSetupInspector(client: SESv2Client): EmailSetupInspector {
  return {
    identities: async () => {
      const names: { name: string; type: string }[] = [];
      for await (const page of paginateListEmailIdentities({ client }, {})) {
        for (const identity of page.EmailIdentities ?? []) {
          if (identity.IdentityName)
            names.push({ name: identity.IdentityName, type: identity.IdentityType ?? 'UNKNOWN' });
        }
      }
      return Promise.all(
        names.map(async ({ name, type }) => {
          const detail = await client.send(new GetEmailIdentityCommand({ EmailIdentity: name }));
          return {
            name,
            type,
            verified: detail.VerifiedForSendingStatus === true,
            dkim: detail.DkimAttributes?.Status ?? 'NOT_STARTED',
          };
        }),
      );
    },
    configurationSets: async () => {
      const names: string[] = [];
      for await (const page of paginateListConfigurationSets({ client }, {}))
        names.push(...(page.ConfigurationSets ?? []));
      return Promise.all(
        names.map(async (name) => {
          const { EventDestinations } = await client.send(
            new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: name }),
          );
          return {
            name,
            destinations: (EventDestinations ?? []).map((destination) => ({
              name: destination.Name ?? 'unnamed',
              enabled: destination.Enabled === true,
              events: [...(destination.MatchingEventTypes ?? [])],
            })),
          };
        }),
      );
    },
  };
}

/**
 * The subscriptions of the alarm topic `topicArn` (the stack output AlarmTopicArn, or
 * `--alarm-topic`) through SNS; `undefined` when SNS says the topic does not exist.
 * `@aws-sdk/client-sns` is loaded on demand.
 */
export function snsAlarmTopicInspector(topicArn: string): AlarmTopicInspector {
  return {
    subscriptions: async () => {
      const sns = await import('@aws-sdk/client-sns');
      const client = new sns.SNSClient({});
      try {
        let confirmed = 0;
        let pending = 0;
        for await (const page of sns.paginateListSubscriptionsByTopic(
          { client },
          { TopicArn: topicArn },
        )) {
          for (const subscription of page.Subscriptions ?? []) {
            if (subscription.SubscriptionArn?.startsWith('arn:')) confirmed += 1;
            else pending += 1;
          }
        }
        return { topicArn, confirmed, pending };
      } catch (error) {
        if (error instanceof sns.NotFoundException) return undefined;
        throw error;
      } finally {
        client.destroy();
      }
    },
  };
}

/**
 * The per-domain health check an operator command uses: SES GetEmailIdentity and public DNS on
 * AWS (`clients` given), the data dir's identity registry (infra/local/local-identities.ts) locally.
 */
export async function operatorDomainHealth(
  target: { readonly local?: string },
  clients: { readonly ses: SESv2Client } | undefined,
): Promise<DomainHealthCheck | undefined> {
  if (target.local) return domainHealthCheck(await loadLocalIdentityPorts(target.local));
  if (!clients) return undefined;
  return domainHealthCheck({ identities: new SesIdentityDirectory(clients.ses), dns: SYSTEM_DNS });
}

/**
 * Checks model access with one Converse call asking for a single token (a fraction of a cent):
 * the only check that proves both the account's model access and the caller's IAM.
 */
export function bedrockModelInspector(modelId: string): ModelAccessInspector {
  return {
    modelId,
    async check() {
      const { BedrockRuntimeClient, ConverseCommand } =
        await import('@aws-sdk/client-bedrock-runtime');
      const client = new BedrockRuntimeClient({ maxAttempts: 1 });
      try {
        await client.send(
          new ConverseCommand({
            modelId,
            messages: [{ role: 'user', content: [{ text: 'Reply with OK.' }] }],
            inferenceConfig: { maxTokens: 1 },
          }),
        );
        return { access: 'available' as const };
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const access: ModelAccess =
          name === 'AccessDeniedException'
            ? 'access_denied'
            : name === 'ResourceNotFoundException' || name === 'ValidationException'
              ? 'not_found'
              : name === 'ThrottlingException'
                ? 'throttled'
                : 'error';
        return { access, detail: name };
      } finally {
        client.destroy();
      }
    },
  };
}

/** AWS clients for the inspectors, from the default credential chain and region. */
export function awsInspectorClients(): {
  cloudWatch: CloudWatchClient;
  ses: SESv2Client;
  destroy(): void;
} {
  const cloudWatch = new CloudWatchClient({});
  const ses = new SESv2Client({});
  return {
    cloudWatch,
    ses,
    destroy: () => {
      cloudWatch.destroy();
      ses.destroy();
    },
  };
}
