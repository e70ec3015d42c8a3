import { DELIVERABILITY_THRESHOLDS } from '../sending-settings.js';
import { SEND_MODES, type SendMode } from '../send-mode.js';
import { ROLLOUT_PHASES, type RolloutPhase } from './phase.js';

/** Human decisions on one action type's proposals (parallel phase): how many reviewed, how many agreed. */
export interface AgreementTally {
  readonly reviewed: number;
  readonly agreed: number;
}

/** Outcome of an identity check (DKIM or DMARC); `unknown` when it could not be checked here. */
export type IdentityCheck = 'pass' | 'fail' | 'unknown';

/**
 * Everything the go-live criteria look at, gathered by the caller (CLI) from records: review
 * decisions, canary results, deliverability counters, SES/DNS checks and ladder history. Instants
 * are ISO-8601; an absent one means "never".
 */
export interface GraduationEvidence {
  readonly phase: RolloutPhase;
  readonly sendMode: SendMode;
  /** When the tenant entered its current phase / send mode (last ladder change, else creation). */
  readonly phaseSince: string;
  readonly sendModeSince: string;
  /** Review decisions per action type (parallel phase); an empty object means none recorded. */
  readonly agreement: Readonly<Record<string, AgreementTally>>;
  /** Last time a canary proved the unsubscribe link suppresses the address and the gate honours it. */
  readonly unsubscribeRoundTripTestedAt?: string;
  /** Last time a canary proved the kill switch stops a send. */
  readonly killSwitchTestedAt?: string;
  readonly dkim: IdentityCheck;
  readonly dmarc: IdentityCheck;
  /** Why DKIM/DMARC are `unknown` (e.g. a local data dir has no SES or DNS). */
  readonly identityNote?: string;
  /** Sends, hard bounces and complaints over the recent window (rate counters). */
  readonly deliverability: {
    readonly sends: number;
    readonly bounces: number;
    readonly complaints: number;
  };
  /** Set while the tenant's sending is paused (bounce/complaint auto-pause, provider circuit). */
  readonly sendingPaused?: string;
}

/** The numbers the criteria use; the seeds' where they give one (go-live runbook, readiness checklist). */
export const GRADUATION_THRESHOLDS = {
  /** Seeds: "> 75 % agreement rate between AI and human". */
  agreementRate: 0.75,
  /** Reviewed proposals per action type before its agreement counts. */
  minReviewed: 20,
  /** Sends the bounce/complaint rates must be measured over (the auto-pause's minimum sample). */
  minSends: DELIVERABILITY_THRESHOLDS.minSample,
  /** Runbook: bounce rate < 5 %, spam complaint rate < 0.1 %. */
  bounceRate: DELIVERABILITY_THRESHOLDS.bounceRate,
  complaintRate: DELIVERABILITY_THRESHOLDS.complaintRate,
  /** A canary result (unsubscribe, kill switch) older than this no longer counts. */
  testMaxAgeDays: 30,
  /** Runbook: dry run 24–48 h, internal-only 1–2 weeks, limited-live 14+ days. */
  dryRunHours: 24,
  internalOnlyDays: 7,
  limitedLiveDays: 14,
} as const;

/** One go-live criterion's verdict; `id` is stable for scripts, `detail` says what was found. */
export interface CriterionResult {
  readonly id: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** Which ladder a decision is about. */
export type Ladder = 'rollout' | 'send-mode';

/** The answer to "may this ladder move from `from` to `to`": allowed when every criterion passes. */
export interface GraduationDecision {
  readonly ladder: Ladder;
  readonly from: string;
  readonly to: string;
  readonly allowed: boolean;
  /** `advance` checks criteria; `hold` (same rung) and `demote` (a safer rung) always pass. */
  readonly direction: 'advance' | 'hold' | 'demote';
  readonly criteria: readonly CriterionResult[];
  /** The ids of the failing criteria, in order. */
  readonly failing: readonly string[];
}

const DAY_MS = 86_400_000;

/** The rung after `phase`, or undefined at the top. */
export function nextPhase(phase: RolloutPhase): RolloutPhase | undefined {
  return ROLLOUT_PHASES[ROLLOUT_PHASES.indexOf(phase) + 1];
}

/** The rung after `mode`, or undefined at the top. */
export function nextSendMode(mode: SendMode): SendMode | undefined {
  return SEND_MODES[SEND_MODES.indexOf(mode) + 1];
}

/**
 * Decides a rollout-phase move. Moving down (or staying) always passes: rolling back must never
 * be blocked. Moving up checks the target's criteria cumulatively (skipping a rung needs the
 * skipped rung's criteria too): parallel needs a kill-switch test; assisted adds agreement per
 * action type, the unsubscribe round trip, DKIM/DMARC and a send mode of at least internal_only;
 * autonomous adds deliverability under thresholds over the last sends, no sending pause and a
 * send mode of at least limited_live.
 */
export function decidePhaseAdvance(
  evidence: GraduationEvidence,
  to: RolloutPhase,
  now: Date,
): GraduationDecision {
  const from = evidence.phase;
  const step = ROLLOUT_PHASES.indexOf(to) - ROLLOUT_PHASES.indexOf(from);
  if (step <= 0) return settled('rollout', from, to, step);
  const target = ROLLOUT_PHASES.indexOf(to);
  const criteria: CriterionResult[] = [killSwitchTested(evidence, now)];
  const autonomous = target >= ROLLOUT_PHASES.indexOf('autonomous');
  if (target >= ROLLOUT_PHASES.indexOf('assisted')) {
    criteria.push(
      agreementReached(evidence),
      unsubscribeTested(evidence, now),
      identityCheck('dkim', evidence),
      identityCheck('dmarc', evidence),
    );
  }
  if (autonomous) criteria.push(deliverabilityHealthy(evidence), notPaused(evidence));
  // One send-mode floor: autonomous's limited_live holds assisted's internal_only.
  if (target >= ROLLOUT_PHASES.indexOf('assisted'))
    criteria.push(sendModeAtLeast(evidence, autonomous ? 'limited_live' : 'internal_only'));
  return decided('rollout', from, to, criteria);
}

/**
 * Decides a send-mode move with the go-live runbook's graduation criteria. Moving down always
 * passes. internal_only needs 24 h in dry_run, a kill-switch test and DKIM/DMARC; limited_live
 * adds a week in internal_only and the unsubscribe round trip; production adds 14 days in
 * limited_live, bounce < 5 % and complaints < 0.1 % over the last sends, and no sending pause.
 * Time-in-mode criteria apply to the rung being left.
 */
export function decideSendModeAdvance(
  evidence: GraduationEvidence,
  to: SendMode,
  now: Date,
): GraduationDecision {
  const from = evidence.sendMode;
  const step = SEND_MODES.indexOf(to) - SEND_MODES.indexOf(from);
  if (step <= 0) return settled('send-mode', from, to, step);
  const target = SEND_MODES.indexOf(to);
  const criteria: CriterionResult[] = [
    timeInMode(evidence, now),
    killSwitchTested(evidence, now),
    identityCheck('dkim', evidence),
    identityCheck('dmarc', evidence),
  ];
  if (target >= SEND_MODES.indexOf('limited_live')) criteria.push(unsubscribeTested(evidence, now));
  if (target >= SEND_MODES.indexOf('production'))
    criteria.push(deliverabilityHealthy(evidence), notPaused(evidence));
  return decided('send-mode', from, to, criteria);
}

function settled(ladder: Ladder, from: string, to: string, step: number): GraduationDecision {
  return {
    ladder,
    from,
    to,
    allowed: true,
    direction: step === 0 ? 'hold' : 'demote',
    criteria: [],
    failing: [],
  };
}

function decided(
  ladder: Ladder,
  from: string,
  to: string,
  criteria: readonly CriterionResult[],
): GraduationDecision {
  const failing = criteria.filter((criterion) => !criterion.pass).map((criterion) => criterion.id);
  return {
    ladder,
    from,
    to,
    allowed: failing.length === 0,
    direction: 'advance',
    criteria,
    failing,
  };
}

function ageDays(instant: string | undefined, now: Date): number | undefined {
  if (instant === undefined) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : (now.getTime() - ms) / DAY_MS;
}

function freshTest(id: string, what: string, at: string | undefined, now: Date): CriterionResult {
  const age = ageDays(at, now);
  if (age === undefined)
    return { id, pass: false, detail: `${what}: never tested (run agentctl canary)` };
  const max = GRADUATION_THRESHOLDS.testMaxAgeDays;
  return age <= max
    ? { id, pass: true, detail: `${what}: tested ${at}` }
    : { id, pass: false, detail: `${what}: last tested ${at}, older than ${max} days` };
}

function killSwitchTested(evidence: GraduationEvidence, now: Date): CriterionResult {
  return freshTest('kill_switch_tested', 'kill switch', evidence.killSwitchTestedAt, now);
}

function unsubscribeTested(evidence: GraduationEvidence, now: Date): CriterionResult {
  return freshTest(
    'unsubscribe_tested',
    'unsubscribe round trip',
    evidence.unsubscribeRoundTripTestedAt,
    now,
  );
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** Every action type with reviews must agree > 75 % over at least `minReviewed` reviews. */
function agreementReached(evidence: GraduationEvidence): CriterionResult {
  const id = 'agreement';
  const { agreementRate, minReviewed } = GRADUATION_THRESHOLDS;
  const entries = Object.entries(evidence.agreement).filter(([, tally]) => tally.reviewed > 0);
  if (entries.length === 0)
    return {
      id,
      pass: false,
      detail: 'agreement: no reviewed proposals (agentctl review, parallel phase)',
    };
  const short = entries.filter(([, tally]) => tally.reviewed < minReviewed);
  const low = entries.filter(
    ([, tally]) => tally.reviewed >= minReviewed && tally.agreed / tally.reviewed <= agreementRate,
  );
  const describe = ([type, tally]: [string, AgreementTally]) =>
    `${type} ${percent(tally.agreed / tally.reviewed)} of ${tally.reviewed}`;
  if (short.length === 0 && low.length === 0)
    return {
      id,
      pass: true,
      detail: `agreement > ${percent(agreementRate)}: ${entries.map(describe).join(', ')}`,
    };
  const problems = [
    ...short.map(
      ([type, tally]) => `${type} only ${tally.reviewed} reviewed (need ${minReviewed})`,
    ),
    ...low.map((entry) => `${describe(entry)} is not above ${percent(agreementRate)}`),
  ];
  return { id, pass: false, detail: `agreement: ${problems.join('; ')}` };
}

function identityCheck(kind: 'dkim' | 'dmarc', evidence: GraduationEvidence): CriterionResult {
  const result = evidence[kind];
  const label = kind.toUpperCase();
  if (result === 'pass') return { id: kind, pass: true, detail: `${label}: pass` };
  return {
    id: kind,
    pass: false,
    detail:
      result === 'fail'
        ? `${label}: failing (agentctl preflight --identity DOMAIN shows the fix)`
        : `${label}: not checked${evidence.identityNote ? ` (${evidence.identityNote})` : ''}`,
  };
}

function sendModeAtLeast(evidence: GraduationEvidence, least: SendMode): CriterionResult {
  const pass = SEND_MODES.indexOf(evidence.sendMode) >= SEND_MODES.indexOf(least);
  return {
    id: 'send_mode',
    pass,
    detail: `send mode ${evidence.sendMode}${pass ? '' : ` is below ${least} (agentctl send-mode advance)`}`,
  };
}

/** Bounce and complaint rates under the runbook's thresholds, measured over at least `minSends`. */
function deliverabilityHealthy(evidence: GraduationEvidence): CriterionResult {
  const { sends, bounces, complaints } = evidence.deliverability;
  const { minSends, bounceRate, complaintRate } = GRADUATION_THRESHOLDS;
  const bounce = sends > 0 ? bounces / sends : 0;
  const complaint = sends > 0 ? complaints / sends : 0;
  const measured = `bounce ${percent(bounce)}, complaints ${(complaint * 100).toFixed(2)} % over ${sends} sends`;
  if (sends < minSends)
    return {
      id: 'deliverability',
      pass: false,
      detail: `deliverability: only ${sends} sends, need ${minSends} to measure`,
    };
  const problems = [
    ...(bounce >= bounceRate ? [`bounce rate not below ${percent(bounceRate)}`] : []),
    ...(complaint >= complaintRate
      ? [`complaint rate not below ${(complaintRate * 100).toFixed(1)} %`]
      : []),
  ];
  return problems.length === 0
    ? { id: 'deliverability', pass: true, detail: `deliverability: ${measured}` }
    : {
        id: 'deliverability',
        pass: false,
        detail: `deliverability: ${measured}: ${problems.join(', ')}`,
      };
}

function notPaused(evidence: GraduationEvidence): CriterionResult {
  return evidence.sendingPaused
    ? { id: 'sending_not_paused', pass: false, detail: `sending paused: ${evidence.sendingPaused}` }
    : { id: 'sending_not_paused', pass: true, detail: 'sending not paused' };
}

/** Time spent on the rung being left, against the runbook's minimum for it. */
function timeInMode(evidence: GraduationEvidence, now: Date): CriterionResult {
  const id = 'time_in_mode';
  const days = ageDays(evidence.sendModeSince, now) ?? 0;
  const minimum =
    evidence.sendMode === 'dry_run'
      ? GRADUATION_THRESHOLDS.dryRunHours / 24
      : evidence.sendMode === 'internal_only'
        ? GRADUATION_THRESHOLDS.internalOnlyDays
        : evidence.sendMode === 'limited_live'
          ? GRADUATION_THRESHOLDS.limitedLiveDays
          : 0;
  const spent = days < 2 ? `${(days * 24).toFixed(1)} h` : `${days.toFixed(1)} days`;
  const needed = minimum < 2 ? `${minimum * 24} h` : `${minimum} days`;
  return days >= minimum
    ? { id, pass: true, detail: `${spent} in ${evidence.sendMode} (minimum ${needed})` }
    : {
        id,
        pass: false,
        detail: `only ${spent} in ${evidence.sendMode} since ${evidence.sendModeSince}, need ${needed}`,
      };
}
