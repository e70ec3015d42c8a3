import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Clock } from '../clock.js';
import type { MetricSink } from '../cycle/runtime.js';
import type { Observability } from '../observability/observability.js';
import { assertTenantId } from '../storage/keys.js';
import type { SuppressionRepository } from '../storage/suppression-repository.js';
import {
  verifyUnsubscribeToken,
  type SigningKey,
  type SigningKeyRing,
} from './unsubscribe-token.js';
import { escapeHtml } from './email-content.js';

/** What the Function URL returns: a small HTML page. */
export interface UnsubscribeResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The unsubscribe Function URL's handler. */
export type UnsubscribeHandler = (
  event: LambdaFunctionURLEvent,
  context: Context,
) => Promise<UnsubscribeResponse>;

/** What {@link createUnsubscribeHandler} is built from. */
export interface UnsubscribeHandlerDeps {
  readonly suppressions: Pick<SuppressionRepository, 'add'>;
  /** The keys tokens verify with (a ring while a key rotates; one key otherwise). */
  readonly signingKey: SigningKey | SigningKeyRing;
  readonly clock: Clock;
  readonly metric: MetricSink;
  readonly observability: Observability;
}

/**
 * Metrics of the unsubscribe endpoint: recorded (by `via`: one_click or form), confirmation pages
 * shown (GET, nothing recorded) and refused links.
 */
export const UNSUBSCRIBE_METRICS = {
  recorded: 'Unsubscribes',
  confirmationShown: 'UnsubscribeConfirmationsShown',
  rejected: 'UnsubscribesRejected',
} as const;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;

function page(statusCode: number, title: string, message: string, extra = ''): UnsubscribeResponse {
  return {
    statusCode,
    headers: { ...HEADERS },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.4rem">${title}</h1><p>${message}</p>${extra}</body></html>`,
  };
}

/** The confirmation page a GET shows: a form that POSTs the token back; nothing is recorded yet. */
function confirmationPage(token: string): UnsubscribeResponse {
  const form = `<form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">Unsubscribe</button></form>`;
  return page(
    200,
    'Unsubscribe from these emails?',
    'Press the button to stop receiving emails from us at this address.',
    form,
  );
}

/** True for an RFC 8058 one-click body (`List-Unsubscribe=One-Click`), as mail clients POST it. */
function isOneClickBody(body: string): boolean {
  return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
}

function decodedBody(event: LambdaFunctionURLEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The token from the query string or, for a form POST, the urlencoded body. */
function tokenOf(event: LambdaFunctionURLEvent, body: string): string | undefined {
  const fromQuery = event.queryStringParameters?.['token'];
  if (fromQuery) return fromQuery;
  const fromBody = new URLSearchParams(body).get('token');
  return fromBody ?? undefined;
}

/**
 * The unsubscribe endpoint of a signed link (RFC 8058). `GET` (the link in the body, and every
 * corporate link scanner that fetches it) only shows a confirmation page whose form POSTs the
 * token back: it changes nothing. `POST` — a mail client's one-click `List-Unsubscribe=One-Click`
 * body, or the confirmation form — suppresses the recipient's address for the tenant in the
 * token, once (a second POST finds it suppressed and answers the same success page). The token is
 * verified with the key its key id names; a tampered token or one of an unknown key gets 400, an
 * expired one 410; neither the token nor the address is ever logged.
 *
 * @example
 * export const handler = createUnsubscribeHandler({ suppressions, signingKey, clock, metric, observability });
 */
export function createUnsubscribeHandler(deps: UnsubscribeHandlerDeps): UnsubscribeHandler {
  const { logger, metrics, tracer } = deps.observability;
  return middy(async (event: LambdaFunctionURLEvent): Promise<UnsubscribeResponse> => {
    const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      const refused = page(405, 'Not allowed', 'Use the link in the email.');
      return { ...refused, headers: { ...HEADERS, allow: 'GET, POST' } };
    }
    const body = decodedBody(event);
    const token = tokenOf(event, body);
    if (!token) {
      logger.warn('unsubscribe refused', { outcome: 'rejected', reason: 'missing_token', method });
      return page(400, 'Link not valid', 'This unsubscribe link is incomplete.');
    }
    const verified = verifyUnsubscribeToken(token, deps.signingKey, deps.clock.now());
    if (!verified.ok) {
      logger.warn('unsubscribe refused', { outcome: 'rejected', reason: verified.reason, method });
      deps.metric(UNSUBSCRIBE_METRICS.rejected, 1);
      if (verified.reason === 'unknown_key')
        return page(
          400,
          'Link no longer valid',
          'This unsubscribe link was signed with a key we no longer use. Reply to the email and we will remove you.',
        );
      return verified.reason === 'expired'
        ? page(
            410,
            'Link expired',
            'This unsubscribe link has expired. Reply to the email and we will remove you.',
          )
        : page(400, 'Link not valid', 'This unsubscribe link is not valid.');
    }
    const { tenantId, email } = verified.claims;
    try {
      assertTenantId(tenantId);
    } catch {
      logger.warn('unsubscribe refused', { outcome: 'rejected', reason: 'bad_tenant', method });
      return page(400, 'Link not valid', 'This unsubscribe link is not valid.');
    }
    if (method === 'GET') {
      deps.metric(UNSUBSCRIBE_METRICS.confirmationShown, 1);
      logger.info('unsubscribe confirmation shown', {
        tenant_id: tenantId,
        outcome: 'confirmation_shown',
        key_id: verified.keyId,
        method,
      });
      return confirmationPage(token);
    }
    const via = isOneClickBody(body) ? 'one_click' : 'form';
    const added = await deps.suppressions.add(tenantId, email, 'unsubscribe', via);
    deps.metric(UNSUBSCRIBE_METRICS.recorded, 1, { via });
    logger.info('unsubscribe recorded', {
      tenant_id: tenantId,
      outcome: added ? 'unsubscribed' : 'already_unsubscribed',
      key_id: verified.keyId,
      via,
      method,
    });
    return page(
      200,
      'You are unsubscribed',
      'You will not receive further emails from us at this address.',
    );
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as UnsubscribeHandler;
}
