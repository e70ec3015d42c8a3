import { performance } from 'node:perf_hooks';
import { analyseMessage } from '../shared/domain/ingest/analyse.js';
import { BOUNCE_REASON_VOCABULARY } from '../shared/domain/ingest/bounce-reasons.js';
import {
  bounceCorpusAvailable,
  classifyBounceCorpus,
  scoreCorpus,
  type CorpusFigures,
} from '../test/helpers/bounce-corpus.js';
import { largePlainTextMessage } from '../test/helpers/mail-corpus.js';

/** The `classify.*` bench section: corpus figures and the time to classify a 25 MB body. */
export interface ClassifyBenchResult {
  readonly corpus: string;
  readonly overall?: CorpusFigures;
  readonly byMta?: Readonly<Record<string, CorpusFigures>>;
  readonly corpusMs?: number;
  /** One 25 MB plain-text message through `analyseMessage`: wall time, then the process's heap and RSS. */
  readonly largeBody: {
    readonly bytes: number;
    readonly ms: number;
    readonly heapUsedMiB: number;
    readonly rssMiB: number;
  };
}

/**
 * Classifies the labelled bounce corpus (read in place) and scores it with the same code as the
 * corpus-floor test, then times one 25 MB plain-text message. Measures; asserts nothing.
 */
export async function benchClassify(): Promise<ClassifyBenchResult> {
  const large = largePlainTextMessage(25 * 1024 * 1024);
  const started = performance.now();
  await analyseMessage(large);
  const memory = process.memoryUsage();
  const largeBody = {
    bytes: large.byteLength,
    ms: Math.round(performance.now() - started),
    heapUsedMiB: Math.round(memory.heapUsed / 1024 / 1024),
    rssMiB: Math.round(memory.rss / 1024 / 1024),
  };
  if (!bounceCorpusAvailable()) return { corpus: 'missing', largeBody };
  const corpusStarted = performance.now();
  const rows = await classifyBounceCorpus();
  const corpusMs = Math.round(performance.now() - corpusStarted);
  const score = scoreCorpus(rows, BOUNCE_REASON_VOCABULARY);
  if (process.env['BENCH_CLASSIFY_MISSES']) console.error(JSON.stringify(score.misses, null, 2));
  return {
    corpus: `${rows.length} files`,
    overall: score.overall,
    byMta: score.byMta,
    corpusMs,
    largeBody,
  };
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`.padStart(8);

/** The classify section as text lines: overall figures, harmful errors, then one line per mail-server family. */
export function formatClassifyBench(result: ClassifyBenchResult): string {
  const lines = [
    `Classify: 25 MB plain-text body ${result.largeBody.ms} ms (process heap ${result.largeBody.heapUsedMiB} MiB, RSS ${result.largeBody.rssMiB} MiB after)`,
  ];
  const o = result.overall;
  if (!o || !result.byMta) return [...lines, `  corpus ${result.corpus}`].join('\n');
  lines.push(
    `  corpus ${result.corpus} in ${result.corpusMs} ms`,
    `  bounce vs not   accuracy ${percent(o.bounceAccuracy)}  precision ${percent(o.bouncePrecision)}  recall ${percent(o.bounceRecall)}`,
    `  recipients      exact sets ${percent(o.recipientsExact)} of ${o.recipientFiles} bounces`,
    `  reason          Sisimai ${percent(o.reasonAgreement)}  coarse ${percent(o.legacyReasonAgreement)}  hard/soft ${percent(o.hardSoftAgreement)} (${o.reasonRecipients} recipients)`,
    `  auto-replies    ${percent(o.autoReplyRecall)} of ${o.autoReplies}; feedback reports ${percent(o.feedbackRecall)} of ${o.feedbackReports}; malformed ${o.malformed}`,
    `  harmful         ${o.harmful.total} (non-bounce as hard ${o.harmful.nonBounceAsHard}, machine mail as request ${o.harmful.machineMailAsRequest}, hard for an unnamed address ${o.harmful.hardForUnnamedAddress}, delay as hard ${o.harmful.delayAsHard})`,
    `  ${'family'.padEnd(16)} files  bounce?  recipients  reason   coarse  harmful`,
  );
  const orNa = (ratio: number, count: number) => (count === 0 ? '     n/a' : percent(ratio));
  for (const [mta, f] of Object.entries(result.byMta))
    lines.push(
      `  ${mta.padEnd(16)} ${String(f.files).padStart(5)} ${percent(f.bounceAccuracy)} ${orNa(f.recipientsExact, f.recipientFiles)} ${orNa(f.reasonAgreement, f.reasonRecipients)} ${orNa(f.legacyReasonAgreement, f.reasonRecipients)} ${String(f.harmful.total).padStart(8)}`,
    );
  return lines.join('\n');
}
