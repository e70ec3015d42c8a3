import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  EMBEDDED_SES_TENANTS,
  SesV2Tenants,
  type SesTenantOutcome,
  type SesTenantSpec,
  type SesTenants,
} from '../../shared/adapters/ses/ses-tenants.js';
import { domainOf } from '../../shared/domain/domain-health.js';
import { sesTenantName } from '../../shared/domain/ses-tenant.js';
import type { TenantSettings } from '../../shared/domain/tenant.js';
import { ConfigError } from '../../shared/errors.js';
import type { StackOutputs } from './stack-outputs.js';

/** The stack outputs that name a stage's SES tenant setup (infra/stacks/agent-stack.ts). */
export const SES_TENANT_OUTPUTS = {
  prefix: 'SesTenantPrefix',
  configurationSetArn: 'SesConfigurationSetArn',
  defaultFromDomain: 'SesDefaultFromDomain',
} as const;

/** What a stage's SES tenants are built from. */
export interface SesTenantSetup {
  readonly prefix: string;
  readonly configurationSetArn: string;
  readonly defaultFromDomain: string;
}

/** The setup from the stack's outputs; `undefined` for a stack deployed before SES tenants. */
export function sesTenantSetupFrom(stack: StackOutputs): SesTenantSetup | undefined {
  try {
    return {
      prefix: stack.require(SES_TENANT_OUTPUTS.prefix),
      configurationSetArn: stack.require(SES_TENANT_OUTPUTS.configurationSetArn),
      defaultFromDomain: stack.require(SES_TENANT_OUTPUTS.defaultFromDomain),
    };
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

/**
 * The SES tenant of one agent tenant: its name and the two resources it sends with, the From
 * domain's identity (the tenant's own, else the stage default) and the configuration set.
 */
export function sesTenantSpec(setup: SesTenantSetup, settings: TenantSettings): SesTenantSpec {
  const domain = settings.sending?.fromAddress
    ? domainOf(settings.sending.fromAddress)
    : setup.defaultFromDomain;
  const arnPrefix = setup.configurationSetArn.slice(
    0,
    setup.configurationSetArn.indexOf(':configuration-set/') + 1,
  );
  if (!arnPrefix)
    throw new ConfigError(
      `stack output ${SES_TENANT_OUTPUTS.configurationSetArn}`,
      'expected an SES configuration-set ARN',
    );
  return {
    tenantName: sesTenantName(setup.prefix, settings.tenantId),
    resourceArns: [`${arnPrefix}identity/${domain}`, setup.configurationSetArn],
  };
}

/**
 * `agentctl tenant enable`: on AWS creates the tenant's SES tenant and its associations, or
 * finds them (idempotent); skipped with the reason for a stack without the SES tenant outputs.
 * On a local data dir the embedded adapter answers that the emulator has no tenants.
 */
export async function ensureSesTenant(
  context: { readonly local: boolean; readonly stack?: StackOutputs | undefined },
  settings: TenantSettings,
  tenants?: SesTenants,
): Promise<SesTenantOutcome> {
  if (context.local) return (tenants ?? EMBEDDED_SES_TENANTS).ensure(LOCAL_SPEC);
  const setup = context.stack ? sesTenantSetupFrom(context.stack) : undefined;
  if (!setup)
    return { skipped: 'the stack has no SES tenant outputs (deploy the current version)' };
  const client = tenants ? undefined : new SESv2Client({});
  try {
    return await (tenants ?? new SesV2Tenants(client!)).ensure(sesTenantSpec(setup, settings));
  } finally {
    client?.destroy();
  }
}

/** What the embedded adapter is asked for: it creates nothing, whatever the spec. */
const LOCAL_SPEC: SesTenantSpec = { tenantName: 'local', resourceArns: [] };

/** One line for the operator: what `ensureSesTenant` did. */
export function formatSesTenantOutcome(outcome: SesTenantOutcome): string {
  if ('skipped' in outcome) return `SES tenant: skipped (${outcome.skipped})`;
  return `SES tenant ${outcome.tenantName}: ${outcome.created ? 'created' : 'exists'}${
    outcome.associated.length > 0 ? `, associated ${outcome.associated.join(', ')}` : ''
  }`;
}
