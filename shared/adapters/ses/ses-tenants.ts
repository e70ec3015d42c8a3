import {
  CreateTenantCommand,
  CreateTenantResourceAssociationCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';

/** One agent tenant's SES tenant: its name and the resources it sends with. */
export interface SesTenantSpec {
  readonly tenantName: string;
  /** ARNs of the identity and configuration set to associate (SES checks them on SendEmail). */
  readonly resourceArns: readonly string[];
}

/** What `ensure` did: created or found the tenant and its associations, or skipped with the reason. */
export type SesTenantOutcome =
  | {
      readonly tenantName: string;
      readonly created: boolean;
      readonly associated: readonly string[];
    }
  | { readonly skipped: string };

/** Creates SES tenants (reputation isolation per agent tenant); idempotent. */
export interface SesTenants {
  ensure(spec: SesTenantSpec): Promise<SesTenantOutcome>;
}

/**
 * The tenant's own suppression list, for bounces and complaints: an address that bounced or
 * complained for one tenant is not suppressed at SES for the others, as our `SUPPRESS#` list.
 */
const TENANT_SUPPRESSION = {
  SuppressedReasons: ['BOUNCE', 'COMPLAINT'],
  SuppressionScope: 'TENANT',
} as const;

/**
 * SESv2 CreateTenant (tenant-scoped suppression for bounces and complaints) and
 * CreateTenantResourceAssociation per resource. An existing tenant or association
 * (`AlreadyExistsException`) counts as done, so running it again changes nothing.
 */
export class SesV2Tenants implements SesTenants {
  constructor(private readonly client: SESv2Client) {}

  async ensure(spec: SesTenantSpec): Promise<SesTenantOutcome> {
    const created = await this.tolerateExisting(
      this.client.send(
        new CreateTenantCommand({
          TenantName: spec.tenantName,
          SuppressionAttributes: {
            SuppressedReasons: [...TENANT_SUPPRESSION.SuppressedReasons],
            SuppressionScope: TENANT_SUPPRESSION.SuppressionScope,
          },
        }),
      ),
    );
    const associated: string[] = [];
    for (const resourceArn of spec.resourceArns) {
      if (
        await this.tolerateExisting(
          this.client.send(
            new CreateTenantResourceAssociationCommand({
              TenantName: spec.tenantName,
              ResourceArn: resourceArn,
            }),
          ),
        )
      )
        associated.push(resourceArn);
    }
    return { tenantName: spec.tenantName, created, associated };
  }

  /** True when the call created something, false when it already existed. */
  private async tolerateExisting(call: Promise<unknown>): Promise<boolean> {
    try {
      await call;
      return true;
    } catch (error) {
      if ((error as Error).name === 'AlreadyExistsException') return false;
      throw error;
    }
  }
}

/** The embedded stack's adapter: aws-ses-v2-local has no tenant API, so nothing is created. */
export const EMBEDDED_SES_TENANTS: SesTenants = {
  ensure: async () => ({
    skipped: 'the embedded SES emulator (aws-ses-v2-local) has no tenants; nothing to create',
  }),
};
