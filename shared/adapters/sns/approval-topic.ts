import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ApprovalNotice, ApprovalNotifier } from '../../rollout/notify.js';

/**
 * Publishes approval notices to an SNS topic (the approvers subscribe by email or chat): the
 * subject names the tenant and action type, the body is the notice as JSON, and message
 * attributes carry tenant and action type for subscription filters.
 */
export class SnsApprovalNotifier implements ApprovalNotifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(notice: ApprovalNotice): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: `Approval needed: ${notice.actionType} for ${notice.tenantId}`.slice(0, 99),
        Message: JSON.stringify({
          ...notice,
          approve: `agentctl approvals approve ${notice.tenantId}/${notice.proposalId}`,
        }),
        MessageAttributes: {
          tenant_id: { DataType: 'String', StringValue: notice.tenantId },
          action_type: { DataType: 'String', StringValue: notice.actionType },
        },
      }),
    );
  }
}
