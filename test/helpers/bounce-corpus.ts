import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { analyseMessage, type MessageAnalysis } from '../../shared/domain/ingest/analyse.js';

/**
 * The labelled bounce corpus (`/work/shared/corpus/bounces`, Sisimai's public test mail), read in
 * place: the repository root's sibling `shared/corpus/bounces`, or `BOUNCE_CORPUS_DIR`.
 */
export const BOUNCE_CORPUS_DIR =
  process.env['BOUNCE_CORPUS_DIR'] ??
  fileURLToPath(new URL('../../../shared/corpus/bounces/', import.meta.url));

/** One entry of the corpus's `labels.json` (see its README). */
export interface BounceLabel {
  readonly isBounce: boolean;
  readonly kind?: string;
  readonly mta?: string;
  readonly expected?: readonly {
    reason: string;
    status: string;
    hardbounce: boolean;
    feedbacktype?: string;
  }[];
  readonly recipients?: readonly string[];
  readonly recipientReasons?: Readonly<Record<string, string>>;
  /** Per recipient: other spellings the file's own fields give; any of them is right. */
  readonly recipientAlternates?: Readonly<Record<string, readonly string[]>>;
  /** Whole alternative recipient sets; any of them is right. */
  readonly altRecipients?: readonly (readonly string[])[];
  readonly actions?: readonly string[];
  readonly autoReply?: boolean;
}

/** What the classifier said about one corpus file, reduced to what the scoring reads. */
export interface CorpusPrediction {
  /** The class, or `malformed` when parsing threw. */
  readonly class: string;
  readonly error?: string;
  readonly recipients: readonly {
    readonly email: string;
    readonly bounceType: string;
    readonly action: string;
    /** The legacy coarse reason (`user_unknown` …). */
    readonly reason: string;
    /** The Sisimai-vocabulary reason, when the classifier gives one. */
    readonly sisimaiReason?: string;
  }[];
}

/** One scored file. */
export interface CorpusRow {
  readonly file: string;
  readonly label: BounceLabel;
  readonly prediction: CorpusPrediction;
}

/** True when the corpus directory exists (it lives outside the repository). */
export function bounceCorpusAvailable(): boolean {
  return existsSync(join(BOUNCE_CORPUS_DIR, 'labels.json'));
}

/** Reads the labels and runs `analyseMessage` (no context: the corpus is not our mailbox) on every file. */
export async function classifyBounceCorpus(): Promise<CorpusRow[]> {
  const labels = JSON.parse(
    await readFile(join(BOUNCE_CORPUS_DIR, 'labels.json'), 'utf8'),
  ) as Record<string, BounceLabel>;
  const files = (await readdir(BOUNCE_CORPUS_DIR)).filter((f) => f.endsWith('.eml')).sort();
  const rows: CorpusRow[] = [];
  for (const file of files) {
    const labelled = labels[file];
    if (!labelled) throw new Error(`labels.json has no entry for ${file}`);
    const label = LABEL_CORRECTIONS[file]?.(labelled) ?? labelled;
    const raw = await readFile(join(BOUNCE_CORPUS_DIR, file));
    rows.push({ file, label, prediction: await predict(raw) });
  }
  return rows;
}

async function predict(raw: Buffer): Promise<CorpusPrediction> {
  let analysis: MessageAnalysis;
  try {
    analysis = await analyseMessage(raw);
  } catch (error) {
    return {
      class: 'malformed',
      error: error instanceof Error ? error.message : String(error),
      recipients: [],
    };
  }
  return {
    class: analysis.classification.class,
    recipients: (analysis.classification.bounce?.recipients ?? []).map((r) => ({
      email: r.email,
      bounceType: r.bounceType,
      action: r.action,
      reason: r.reason,
      ...('sisimaiReason' in r && typeof r.sisimaiReason === 'string'
        ? { sisimaiReason: r.sisimaiReason }
        : {}),
    })),
  };
}

/**
 * Where labels.json disagrees with the file's own fields, the file's spelling is accepted as an
 * alternate (like the labels' own `recipientAlternates`). Each entry says why.
 */
const LABEL_CORRECTIONS: Readonly<Record<string, (label: BounceLabel) => BounceLabel>> = {
  // The label names 00000000000@vtext.example.com (11 zeros); the file's only `RCPT TO:` line,
  // the one place the recipient appears, names 000000000000@vtext.example.com (12 zeros).
  'lhost-apachejames-01.eml': (label) => ({
    ...label,
    recipientAlternates: {
      ...label.recipientAlternates,
      '00000000000@vtext.example.com': ['000000000000@vtext.example.com'],
    },
  }),
};

/** Older Sisimai names in the labels, and their current names. */
const REASON_ALIASES: Readonly<Record<string, string>> = { mesgtoobig: 'mesgtoolarge' };

/** The coarse legacy reason each Sisimai reason corresponds to (for a before/after comparison). */
export const LEGACY_REASON_OF: Readonly<Record<string, string>> = {
  userunknown: 'user_unknown',
  hasmoved: 'user_unknown',
  suspend: 'user_unknown',
  mailboxfull: 'over_quota',
  hostunknown: 'domain_error',
  notaccept: 'domain_error',
  blocked: 'spam_block',
  spamdetected: 'spam_block',
  policyviolation: 'spam_block',
  badreputation: 'spam_block',
  authfailure: 'spam_block',
  requireptr: 'spam_block',
  securityerror: 'spam_block',
  virusdetected: 'spam_block',
};

/** Figures for one group of files (the whole corpus or one mail-server family). */
export interface CorpusFigures {
  readonly files: number;
  /** Share of files whose bounce-vs-not verdict matches the label. */
  readonly bounceAccuracy: number;
  readonly bouncePrecision: number;
  readonly bounceRecall: number;
  /** Labelled bounces with recipients, and the share whose failed-recipient set is exactly right. */
  readonly recipientFiles: number;
  readonly recipientsExact: number;
  /** Labelled recipients whose reason is in our vocabulary, and the share we name the same. */
  readonly reasonRecipients: number;
  readonly reasonAgreement: number;
  /** The same recipients compared on the coarse legacy reason. */
  readonly legacyReasonAgreement: number;
  /** Sisimai's hard/soft verdict agreement on correctly found recipients. */
  readonly hardSoftAgreement: number;
  readonly autoReplies: number;
  readonly autoReplyRecall: number;
  readonly feedbackReports: number;
  /** Feedback reports given the `feedback_report` class. */
  readonly feedbackRecall: number;
  readonly malformed: number;
  readonly harmful: {
    readonly nonBounceAsHard: number;
    readonly machineMailAsRequest: number;
    readonly hardForUnnamedAddress: number;
    readonly delayAsHard: number;
    readonly total: number;
  };
}

/** Whole-corpus figures, per-family figures and the files behind every miss. */
export interface CorpusScore {
  readonly overall: CorpusFigures;
  readonly byMta: Readonly<Record<string, CorpusFigures>>;
  readonly misses: {
    readonly bounce: readonly string[];
    readonly recipients: readonly string[];
    readonly reason: readonly string[];
    readonly harmful: readonly string[];
  };
}

/** Sisimai reasons this project's vocabulary names (the labels' older aliases folded in). */
export function mapsToVocabulary(reason: string, vocabulary: ReadonlySet<string>): boolean {
  return vocabulary.has(REASON_ALIASES[reason] ?? reason);
}

/**
 * Scores classifier output against the labels. Pure. A labelled recipient matches a predicted one
 * when the addresses are equal or the prediction is one of its `recipientAlternates`; a recipient
 * set is exact when it equals the labelled set (or one of `altRecipients`) under that matching.
 */
export function scoreCorpus(
  rows: readonly CorpusRow[],
  vocabulary: ReadonlySet<string>,
): CorpusScore {
  const byMta = new Map<string, CorpusRow[]>();
  for (const row of rows) {
    const key = row.label.mta ?? row.label.kind ?? 'unknown';
    byMta.set(key, [...(byMta.get(key) ?? []), row]);
  }
  const misses = {
    bounce: [] as string[],
    recipients: [] as string[],
    reason: [] as string[],
    harmful: [] as string[],
  };
  const overall = figuresOf(rows, vocabulary, misses);
  const perMta: Record<string, CorpusFigures> = {};
  for (const [mta, group] of [...byMta].sort(([a], [b]) => a.localeCompare(b)))
    perMta[mta] = figuresOf(group, vocabulary);
  return { overall, byMta: perMta, misses };
}

function figuresOf(
  rows: readonly CorpusRow[],
  vocabulary: ReadonlySet<string>,
  misses?: { bounce: string[]; recipients: string[]; reason: string[]; harmful: string[] },
): CorpusFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let recipientFiles = 0;
  let recipientsExact = 0;
  let reasonRecipients = 0;
  let reasonRight = 0;
  let legacyRight = 0;
  let hardSoftChecked = 0;
  let hardSoftRight = 0;
  let autoReplies = 0;
  let autoRight = 0;
  let feedback = 0;
  let feedbackRight = 0;
  let malformed = 0;
  const harmful = {
    nonBounceAsHard: 0,
    machineMailAsRequest: 0,
    hardForUnnamedAddress: 0,
    delayAsHard: 0,
  };

  for (const { file, label, prediction } of rows) {
    const predictedBounce = prediction.class === 'bounce';
    if (prediction.class === 'malformed') malformed += 1;
    if (label.isBounce && predictedBounce) tp += 1;
    else if (label.isBounce) fn += 1;
    else if (predictedBounce) fp += 1;
    else tn += 1;
    if (label.isBounce !== predictedBounce)
      misses?.bounce.push(`${file} (got ${prediction.class})`);

    const autoReply = label.autoReply === true || label.kind === 'vacation';
    if (autoReply) {
      autoReplies += 1;
      if (prediction.class === 'auto_reply') autoRight += 1;
    }
    if (label.kind === 'feedback') {
      feedback += 1;
      // An opt-out report is a stop request: the unsubscribe path is as right as the complaint path.
      const optOut = label.expected?.some((row) => row.feedbacktype === 'opt-out') === true;
      if (prediction.class === 'feedback_report' || (optOut && prediction.class === 'unsubscribe'))
        feedbackRight += 1;
    }

    const hard = prediction.recipients.filter((r) => r.bounceType === 'hard');
    const harms: string[] = [];
    if (!label.isBounce && hard.length > 0) {
      harmful.nonBounceAsHard += 1;
      harms.push('non-bounce read as a hard bounce');
    }
    if (
      prediction.class === 'explicit_request' &&
      (label.isBounce || label.kind !== 'not_bounce')
    ) {
      harmful.machineMailAsRequest += 1;
      harms.push('machine mail read as a request');
    }
    const expected = label.recipients ?? [];
    const matchesLabel = (email: string) =>
      expected.some((r) => r === email || (label.recipientAlternates?.[r] ?? []).includes(email)) ||
      (label.altRecipients ?? []).some((set) => set.includes(email));
    if (label.isBounce && hard.some((r) => !matchesLabel(r.email))) {
      harmful.hardForUnnamedAddress += 1;
      harms.push(`hard bounce for an unnamed address (${hard.map((r) => r.email).join(', ')})`);
    }
    if (
      label.isBounce &&
      (label.actions ?? []).every((a) => a === 'delayed') &&
      (label.actions ?? []).length > 0 &&
      hard.length > 0
    ) {
      harmful.delayAsHard += 1;
      harms.push('delay read as a hard bounce');
    }
    if (harms.length > 0) misses?.harmful.push(`${file}: ${harms.join('; ')}`);

    if (!label.isBounce || expected.length === 0) continue;
    recipientFiles += 1;
    const got = [...new Set(prediction.recipients.map((r) => r.email))];
    const sets = [expected, ...(label.altRecipients ?? [])];
    const exact =
      predictedBounce &&
      sets.some(
        (set) =>
          got.length === set.length &&
          set.every((r) =>
            got.some((g) => g === r || (label.recipientAlternates?.[r] ?? []).includes(g)),
          ),
      );
    if (exact) recipientsExact += 1;
    else
      misses?.recipients.push(
        `${file}: expected ${expected.join(', ')}; got ${got.join(', ') || 'none'}`,
      );

    expected.forEach((email, index) => {
      const labelled = label.recipientReasons?.[email] ?? label.expected?.[index]?.reason;
      if (!labelled) return;
      const found = predictedBounce
        ? (prediction.recipients.find(
            (r) =>
              r.email === email || (label.recipientAlternates?.[email] ?? []).includes(r.email),
          ) ??
          (expected.length === 1 && prediction.recipients.length === 1
            ? prediction.recipients[0]
            : undefined))
        : undefined;
      const hardLabel = label.expected?.[index]?.hardbounce;
      if (found && hardLabel !== undefined) {
        hardSoftChecked += 1;
        if ((found.bounceType === 'hard') === hardLabel) hardSoftRight += 1;
      }
      if (!mapsToVocabulary(labelled, vocabulary)) return;
      reasonRecipients += 1;
      const canonical = REASON_ALIASES[labelled] ?? labelled;
      if (found?.sisimaiReason === canonical) reasonRight += 1;
      else
        misses?.reason.push(
          `${file} ${email}: expected ${canonical}; got ${found?.sisimaiReason ?? found?.reason ?? 'nothing'}`,
        );
      if (found && found.reason === (LEGACY_REASON_OF[canonical] ?? 'other')) legacyRight += 1;
    });
  }
  const ratio = (n: number, d: number) => (d === 0 ? 1 : Math.round((n / d) * 10_000) / 10_000);
  return {
    files: rows.length,
    bounceAccuracy: ratio(tp + tn, rows.length),
    bouncePrecision: ratio(tp, tp + fp),
    bounceRecall: ratio(tp, tp + fn),
    recipientFiles,
    recipientsExact: ratio(recipientsExact, recipientFiles),
    reasonRecipients,
    reasonAgreement: ratio(reasonRight, reasonRecipients),
    legacyReasonAgreement: ratio(legacyRight, reasonRecipients),
    hardSoftAgreement: ratio(hardSoftRight, hardSoftChecked),
    autoReplies,
    autoReplyRecall: ratio(autoRight, autoReplies),
    feedbackReports: feedback,
    feedbackRecall: ratio(feedbackRight, feedback),
    malformed,
    harmful: {
      ...harmful,
      total:
        harmful.nonBounceAsHard +
        harmful.machineMailAsRequest +
        harmful.hardForUnnamedAddress +
        harmful.delayAsHard,
    },
  };
}
