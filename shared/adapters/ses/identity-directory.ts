import { GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { SesIdentityFacts } from '../../domain/domain-health.js';

/** Reads what SES knows about one identity; `undefined` when SES has no identity of that name. */
export interface IdentityDirectory {
  describe(identity: string): Promise<SesIdentityFacts | undefined>;
}

/** SESv2 `GetEmailIdentity`: verification, DKIM status and the custom MAIL FROM domain. */
export class SesIdentityDirectory implements IdentityDirectory {
  constructor(private readonly client: SESv2Client) {}

  async describe(identity: string): Promise<SesIdentityFacts | undefined> {
    try {
      const detail = await this.client.send(
        new GetEmailIdentityCommand({ EmailIdentity: identity }),
      );
      const mailFrom = detail.MailFromAttributes;
      return {
        verified: detail.VerifiedForSendingStatus === true,
        dkim: detail.DkimAttributes?.Status ?? 'NOT_STARTED',
        ...(mailFrom?.MailFromDomain ? { mailFromDomain: mailFrom.MailFromDomain } : {}),
        ...(mailFrom?.MailFromDomainStatus
          ? { mailFromStatus: mailFrom.MailFromDomainStatus }
          : {}),
      };
    } catch (error) {
      if ((error as Error).name === 'NotFoundException') return undefined;
      throw error;
    }
  }
}
