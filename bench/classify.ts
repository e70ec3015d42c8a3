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
  /** One 25 MB plain-text message through `analyseMessage`: wall time and heap growth. */
  readonly largeBody: { readonly bytes: number; readonly ms: number; readonly heapMiB: number };
}

/**
 * Classifies the labelled bounce corpus (read in place) and scores it with the same code as the
 * corpus-floor test, then times one 25 MB plain-text message. Measures; asserts nothing.
 */
export async function benchClassify(): Promise<ClassifyBenchResult> {
  const large = largePlainTextMessage(25 * 1024 * 1024);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  await analyseMessage(large);
  const largeBody = {
    bytes: large.byteLength,
    ms: Math.round(performance.now() - started),
    heapMiB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024),
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
