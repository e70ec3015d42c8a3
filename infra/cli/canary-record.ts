import type { AuditRepository } from '../../shared/storage/audit-repository.js';

/** The tenant the canary runs as; its audit trail keeps every canary result after cleanup. */
export const CANARY_TENANT_ID = 'canary';

/** The canary's checks, in the order they run (each names one step of the real pipeline). */
export const CANARY_CHECKS = [
  'kill_switch_readable',
  'plan',
  'policy',
  'gate',
  'ses',
  'unsubscribe_link',
  'suppression_honoured',
  'kill_switch_honoured',
  'cleanup',
] as const;
/** One of {@link CANARY_CHECKS}. */
export type CanaryCheckId = (typeof CANARY_CHECKS)[number];

/** How one canary check came out; `detail` says what was seen. */
export interface CanaryCheck {
  readonly id: CanaryCheckId;
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  readonly detail: string;
}

/** When the stored canary results last proved the unsubscribe round trip and the kill switch. */
export interface CanaryEvidence {
  readonly unsubscribeRoundTripTestedAt?: string;
  readonly killSwitchTestedAt?: string;
}

/** How far back canary results count (the graduation criteria want them within 30 days). */
const LOOKBACK_MS = 90 * 86_400_000;

/**
 * Reads the canary results in the audit trail: the unsubscribe round trip is proven by a run whose
 * `unsubscribe_link` and `suppression_honoured` checks passed, the kill switch by one whose
 * `kill_switch_honoured` passed. The latest such run counts.
 */
export async function canaryEvidence(audits: AuditRepository, now: Date): Promise<CanaryEvidence> {
  const records = await audits.listOperatorRecords(
    CANARY_TENANT_ID,
    'canary',
    new Date(now.getTime() - LOOKBACK_MS),
  );
  let unsubscribe: string | undefined;
  let killSwitch: string | undefined;
  for (const record of records) {
    const checks = (record.detail['checks'] ?? []) as readonly CanaryCheck[];
    const passed = (id: CanaryCheckId) =>
      checks.some((check) => check.id === id && check.status === 'PASS');
    if (passed('unsubscribe_link') && passed('suppression_honoured')) unsubscribe = record.at;
    if (passed('kill_switch_honoured')) killSwitch = record.at;
  }
  return {
    ...(unsubscribe ? { unsubscribeRoundTripTestedAt: unsubscribe } : {}),
    ...(killSwitch ? { killSwitchTestedAt: killSwitch } : {}),
  };
}
