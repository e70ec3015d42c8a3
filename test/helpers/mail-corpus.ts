import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the RFC 822 corpus lives. */
export const MAIL_CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'mail');

/** One corpus entry of `test/fixtures/mail/manifest.json`. */
export interface CorpusEntry {
  readonly file: string;
  readonly shape: string;
  readonly class?: string;
  readonly malformed?: boolean;
  readonly generated?: boolean;
  readonly requestType?: string;
  readonly replyToOurSend?: boolean;
  readonly orderIds?: string[];
  readonly others?: string[];
  readonly bounce?: { email: string; status?: string; reason: string; bounceType: string }[];
  readonly attachments?: { name: string; type: string; size: number }[];
  /** Expected sender; a `null` field must be absent, a missing field is not checked. */
  readonly contact?: Record<string, string | null> | null;
  /** Field paths the classifier is known to get wrong, with why (holdout messages only). */
  readonly knownMisses?: Record<string, string>;
}

/** The manifest: classification context plus entries. */
export interface CorpusManifest {
  readonly context: { ownDomains: string[]; ownAddresses: string[] };
  readonly messages: CorpusEntry[];
}

/** Size of the generated attachment: exactly 10 MiB. */
export const LARGE_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Reads the corpus manifest. */
export async function loadCorpusManifest(): Promise<CorpusManifest> {
  return JSON.parse(
    await readFile(join(MAIL_CORPUS_DIR, 'manifest.json'), 'utf8'),
  ) as CorpusManifest;
}

/** The raw bytes of a corpus entry; the generated 10 MB message is built in memory. */
export async function corpusMessage(
  entry: Pick<CorpusEntry, 'file' | 'generated'>,
): Promise<Buffer> {
  if (entry.generated) return largeAttachmentMessage();
  return readFile(join(MAIL_CORPUS_DIR, entry.file));
}

let cachedLarge: Buffer | undefined;

/**
 * A reply with a 10 MiB PDF attachment (base64, 76-column lines), generated instead of committed.
 * Deterministic: the same bytes every time.
 */
export function largeAttachmentMessage(size = LARGE_ATTACHMENT_BYTES): Buffer {
  if (size === LARGE_ATTACHMENT_BYTES && cachedLarge) return cachedLarge;
  const content = Buffer.alloc(size);
  content.write('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n', 'latin1');
  let state = 0x2545f491;
  for (let i = 16; i < size; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    content[i] = state >>> 24;
  }
  const base64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
  const head = [
    'From: "Whitfield, Dana" <dana.whitfield@lakeshoremortgage.example>',
    'To: Northwind Appraisals <team@northwind-appraisals.example>',
    'Subject: Re: 2026 engagement letter',
    'Date: Wed, 7 Jan 2026 12:00:00 -0600',
    'Message-ID: <CAF1x9Q2z-large@mail.lakeshoremortgage.example>',
    'In-Reply-To: <0100019b8a1f2c3d-7e1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8-000000@email.amazonses.com>',
    'References: <0100019b8a1f2c3d-7e1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8-000000@email.amazonses.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed-boundary-4f1c"',
    '',
    '--mixed-boundary-4f1c',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    'Attached is the signed engagement letter for 2026.',
    '',
    'Best,',
    'Dana Whitfield',
    'Senior Loan Officer | Lakeshore Mortgage',
    'Direct: (312) 555-0142',
    '',
    '--mixed-boundary-4f1c',
    'Content-Type: application/pdf; name="Northwind-Engagement-Letter-2026.pdf"',
    'Content-Disposition: attachment; filename="Northwind-Engagement-Letter-2026.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  const message = Buffer.concat([
    Buffer.from(head, 'utf8'),
    Buffer.from(base64, 'ascii'),
    Buffer.from('\r\n--mixed-boundary-4f1c--\r\n', 'ascii'),
  ]);
  if (size === LARGE_ATTACHMENT_BYTES) cachedLarge = message;
  return message;
}

/**
 * A plain-text reply whose body is `size` bytes of ordinary prose (deterministic), for the
 * classifier's text cap and the bench's 25 MB case.
 */
export function largePlainTextMessage(size: number): Buffer {
  const head = [
    'From: Dana Whitfield <dana.whitfield@lakeshoremortgage.example>',
    'To: Northwind Appraisals <team@northwind-appraisals.example>',
    'Subject: Re: rate sheet',
    'Date: Wed, 7 Jan 2026 12:00:00 -0600',
    'Message-ID: <large-text@mail.lakeshoremortgage.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    '',
  ].join('\r\n');
  const paragraph =
    'The loan file for the Maple Street property is in the shared folder now.\r\n' +
    'Appraisal notes and the comparable sales are on the second tab of it.\r\n\r\n';
  const body = Buffer.alloc(size, paragraph, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}
