import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Clock } from '../clock.js';
import type { MetricSink } from '../cycle/runtime.js';
import type { Observability } from '../observability/observability.js';
import { assertTenantId } from '../storage/keys.js';
import type { SuppressionRepository } from '../storage/suppression-repository.js';
import { verifyUnsubscribeToken, type SigningKey } from './unsubscribe-token.js';

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
  readonly signingKey: SigningKey;
  readonly clock: Clock;
  readonly metric: MetricSink;
  readonly observability: Observability;
}

/** Metrics of the unsubscribe endpoint: recorded (by `via`: one_click or link) and refused links. */
export const UNSUBSCRIBE_METRICS = {
  recorded: 'Unsubscribes',
  rejected: 'UnsubscribesRejected',
} as const;

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
} as const;

function page(statusCode: number, title: string, message: string): UnsubscribeResponse {
  return {
    statusCode,
    headers: { ...HEADERS },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1 style="font-size:1.4rem">${title}</h1><p>${message}</p></body></html>`,
  };
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
 * Records an unsubscribe from a signed link (RFC 8058): `POST` with
 * `List-Unsubscribe=One-Click` from a mail client, or `GET` from the link in the body. Either way
 * the recipient's address is suppressed for the tenant in the token (idempotently: a second click
 * finds it suppressed and answers the same) and a small confirmation page is returned. A tampered
 * token gets 400, an expired one 410; neither the token nor the address is ever logged.
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
    const oneClick = method === 'POST';
    const added = await deps.suppressions.add(
      tenantId,
      email,
      'unsubscribe',
      oneClick ? 'one_click' : 'link',
    );
    deps.metric(UNSUBSCRIBE_METRICS.recorded, 1, { via: oneClick ? 'one_click' : 'link' });
    logger.info('unsubscribe recorded', {
      tenant_id: tenantId,
      outcome: added ? 'unsubscribed' : 'already_unsubscribed',
      method,
    });
    return page(
      200,
      'You are unsubscribed',
      'You will not receive further emails from us at this address.',
    );
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics)) as unknown as UnsubscribeHandler;
}
