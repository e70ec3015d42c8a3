/**
 * Approver notifications (assisted phase): one notice when an approval is requested or asked for
 * again, with the SLA of its action type. On AWS an SNS topic (shared/adapters/sns/approval-topic.ts);
 * locally the notice is only recorded, in the audit trail, like every request.
 */

/** What an approver is told; no message body, draft text or secret, only ids and deadlines. */
export interface ApprovalNotice {
  readonly tenantId: string;
  readonly proposalId: string;
  readonly actionType: string;
  readonly reason: string;
  readonly to?: string;
  readonly generation: number;
  readonly slaDueAt: string;
  readonly expiresAt: string;
}

/** Sends an approval notice to the approvers; failures are the caller's to count, never fatal. */
export interface ApprovalNotifier {
  notify(notice: ApprovalNotice): Promise<void>;
}

/** A notifier that keeps notices in memory (the embedded stack and tests). */
export class RecordingApprovalNotifier implements ApprovalNotifier {
  readonly notices: ApprovalNotice[] = [];

  notify(notice: ApprovalNotice): Promise<void> {
    this.notices.push(notice);
    return Promise.resolve();
  }
}
