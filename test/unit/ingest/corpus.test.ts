import { describe, expect, it } from 'vitest';
import { analyseMessage, type MessageAnalysis } from '../../../shared/domain/ingest/analyse.js';
import { MESSAGE_CLASSES } from '../../../shared/domain/ingest/classify.js';
import { MalformedMessageError } from '../../../shared/domain/ingest/mime.js';
import { corpusMessage, loadCorpusManifest, type CorpusEntry } from '../../helpers/mail-corpus.js';

const manifest = await loadCorpusManifest();

/** Every field path where the analysis differs from the manifest, with what was found. */
function mismatchesOf(entry: CorpusEntry, analysis: MessageAnalysis): Record<string, string> {
  const found: Record<string, string> = {};
  const check = (path: string, expected: unknown, actual: unknown) => {
    if (expected === undefined) return;
    const normalizedExpected = expected === null ? undefined : expected;
    if (JSON.stringify(normalizedExpected) !== JSON.stringify(actual))
      found[path] = `expected ${JSON.stringify(normalizedExpected)}, got ${JSON.stringify(actual)}`;
  };
  const { classification, contacts } = analysis;
  check('class', entry.class, classification.class);
  check('replyToOurSend', entry.replyToOurSend, classification.replyToOurSend);
  if (entry.requestType)
    check('requestType', entry.requestType, classification.request?.requestType);
  (entry.bounce ?? []).forEach((expected, index) => {
    const actual = classification.bounce?.recipients[index];
    for (const field of ['email', 'status', 'reason', 'bounceType'] as const)
      check(`bounce[${index}].${field}`, expected[field], actual?.[field]);
  });
  if (entry.contact === null) check('contact', null, contacts.sender);
  for (const [field, expected] of Object.entries(entry.contact ?? {}))
    check(`contact.${field}`, expected, contacts.sender?.[field as keyof typeof contacts.sender]);
  if (entry.others)
    check(
      'others',
      entry.others,
      contacts.others.map((o) => o.address),
    );
  if (entry.orderIds) check('orderIds', entry.orderIds, analysis.references.orderIds);
  if (entry.attachments)
    check(
      'attachments',
      entry.attachments,
      analysis.message.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size })),
    );
  return found;
}

interface Outcome {
  readonly entry: CorpusEntry;
  readonly analysis?: MessageAnalysis;
  readonly error?: unknown;
}

async function analyseEntry(entry: CorpusEntry): Promise<Outcome> {
  try {
    return { entry, analysis: await analyseMessage(await corpusMessage(entry), manifest.context) };
  } catch (error) {
    return { entry, error };
  }
}

describe('Domain: ingest corpus (test/fixtures/mail)', () => {
  it('holds at least 25 messages covering every class, a malformed one and a 10 MB attachment', () => {
    const classes = new Set(manifest.messages.map((entry) => entry.class));

    expect(manifest.messages.length).toBeGreaterThanOrEqual(25);
    for (const messageClass of MESSAGE_CLASSES) expect(classes).toContain(messageClass);
    expect(manifest.messages.some((entry) => entry.malformed)).toBe(true);
    expect(manifest.messages.some((entry) => entry.generated)).toBe(true);
  });

  it.each(manifest.messages.map((entry) => ({ ...entry, expected: entry.class ?? 'malformed' })))(
    'reads $file ($shape) as $expected, differing only where the manifest says so',
    async (entry) => {
      const outcome = await analyseEntry(entry);

      if (entry.malformed) {
        expect(outcome.error).toBeInstanceOf(MalformedMessageError);
        return;
      }
      expect(outcome.error).toBeUndefined();
      expect(mismatchesOf(entry, outcome.analysis!)).toEqual(
        Object.fromEntries(
          Object.keys(entry.knownMisses ?? {}).map((path) => [path, expect.any(String)]),
        ),
      );
    },
    20_000,
  );

  it('classifies at least 95 % of the corpus right and extracts at least 90 % of the expected fields', async () => {
    const outcomes = await Promise.all(manifest.messages.map(analyseEntry));

    let classesRight = 0;
    let fields = 0;
    let fieldsRight = 0;
    const rows: string[] = [];
    for (const { entry, analysis, error } of outcomes) {
      const right = entry.malformed
        ? error instanceof MalformedMessageError
        : analysis?.classification.class === entry.class;
      if (right) classesRight += 1;
      if (analysis) {
        const misses = Object.keys(mismatchesOf(entry, analysis)).filter((p) => p !== 'class');
        const checked =
          Object.keys(entry.contact ?? {}).length +
          (entry.bounce ?? []).length * 4 +
          (entry.requestType ? 1 : 0) +
          (entry.orderIds ? 1 : 0) +
          (entry.others ? 1 : 0) +
          (entry.attachments ? 1 : 0);
        fields += checked;
        fieldsRight += checked - misses.length;
      }
      rows.push(
        `${entry.file.padEnd(42)} expected ${(entry.class ?? 'malformed').padEnd(21)} got ${
          error ? 'malformed' : (analysis?.classification.class ?? '?')
        }`,
      );
    }
    const classAccuracy = classesRight / outcomes.length;
    const fieldAccuracy = fieldsRight / fields;
    console.info(
      `ingest corpus: ${classesRight}/${outcomes.length} classified right (${(classAccuracy * 100).toFixed(1)} %), ` +
        `${fieldsRight}/${fields} extracted fields right (${(fieldAccuracy * 100).toFixed(1)} %)\n${rows.join('\n')}`,
    );

    expect(classAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(fieldAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 30_000);
});
