import { describe, expect, it } from 'vitest';
import {
  circuitAfterFailure,
  deliverabilityVerdict,
  isCircuitOpen,
} from '../../../shared/domain/deliverability.js';
import { classifySendFailure } from '../../../shared/adapters/ses/email-sender.js';
import { renderEmail } from '../../../shared/sending/email-content.js';
import { emailSendDisabledFrom, loadSenderConfig } from '../../../shared/sending/sender-config.js';
import {
  startOfNextLocalDay,
  zonedInstant,
  zonedParts,
} from '../../../shared/domain/zoned-time.js';

describe('Domain: deliverability verdict', () => {
  it.each([
    {
      case: '3 bounces in 10 sends (under the minimum sample)',
      stats: { sends: 10, bounces: 3, softBounces: 0, complaints: 0 },
      pause: undefined,
    },
    {
      case: '2 bounces in 49 sends',
      stats: { sends: 49, bounces: 2, softBounces: 0, complaints: 0 },
      pause: undefined,
    },
    {
      case: 'exactly 5 % bounces in 100 sends',
      stats: { sends: 100, bounces: 5, softBounces: 0, complaints: 0 },
      pause: undefined,
    },
    {
      case: '6 % bounces in 100 sends',
      stats: { sends: 100, bounces: 6, softBounces: 0, complaints: 0 },
      pause: 'bounce_rate',
    },
    {
      case: 'soft bounces only',
      stats: { sends: 100, bounces: 0, softBounces: 40, complaints: 0 },
      pause: undefined,
    },
    {
      case: '1 complaint in 999 sends',
      stats: { sends: 999, bounces: 0, softBounces: 0, complaints: 1 },
      pause: 'complaint_rate',
    },
    {
      case: '1 complaint in 1000 sends (0.1 %)',
      stats: { sends: 1_000, bounces: 0, softBounces: 0, complaints: 1 },
      pause: undefined,
    },
  ])('pauses on $case: $pause', ({ stats, pause }) => {
    expect(deliverabilityVerdict(stats).pause?.reason).toBe(pause);
  });
});

describe('Domain: provider circuit', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));

  it('opens on the fifth failure within 15 minutes, for 15 minutes', () => {
    let circuit = circuitAfterFailure(undefined, at(0));
    for (const minute of [2, 4, 6]) circuit = circuitAfterFailure(circuit, at(minute));
    expect(circuit.opened).toBe(false);

    const fifth = circuitAfterFailure(circuit, at(8));

    expect(fifth).toMatchObject({ opened: true, openUntil: at(23).toISOString() });
    expect(isCircuitOpen(fifth, at(22))).toBe(true);
    expect(isCircuitOpen(fifth, at(23))).toBe(false);
  });

  it('stays closed when the failures are spread over more than 15 minutes', () => {
    let circuit = circuitAfterFailure(undefined, at(0));
    for (const minute of [5, 10, 15, 20]) circuit = circuitAfterFailure(circuit, at(minute));
    expect(circuit.opened).toBe(false);
    expect(circuit.failures).toHaveLength(3); // 09:10, 09:15, 09:20: the rest aged out
  });
});

describe('Adapter: SES error classification', () => {
  const error = (name: string, status?: number, fault?: string) =>
    Object.assign(new Error(name), {
      name,
      ...(status ? { $metadata: { httpStatusCode: status } } : {}),
      ...(fault ? { $fault: fault } : {}),
    });

  it.each([
    { case: 'throttling', error: error('TooManyRequestsException', 429), kind: 'not_accepted' },
    { case: 'a daily quota', error: error('LimitExceededException', 400), kind: 'not_accepted' },
    { case: 'a refused connection', error: error('ECONNREFUSED'), kind: 'not_accepted' },
    {
      case: 'a refused connection (code)',
      error: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      kind: 'not_accepted',
    },
    {
      case: 'a 5xx',
      error: error('InternalServiceErrorException', 500, 'server'),
      kind: 'in_doubt',
    },
    { case: 'a socket reset', error: error('ECONNRESET'), kind: 'in_doubt' },
    { case: 'a timeout', error: error('TimeoutError'), kind: 'in_doubt' },
    { case: 'something that is not an Error', error: 'boom' as unknown as Error, kind: 'in_doubt' },
    {
      case: 'missing permissions',
      error: error('AccessDeniedException', 403, 'client'),
      kind: 'rejected',
    },
    {
      case: 'an unverified identity',
      error: error('MessageRejected', 400, 'client'),
      kind: 'rejected',
    },
    {
      case: 'a missing configuration set',
      error: error('NotFoundException', 404, 'client'),
      kind: 'rejected',
    },
    {
      case: 'a paused account',
      error: error('SendingPausedException', 400, 'client'),
      kind: 'rejected',
    },
  ])('treats $case as $kind', ({ error: value, kind }) => {
    expect(classifySendFailure(value)).toBe(kind);
  });
});

describe('Sending: email content', () => {
  it('escapes names in HTML and carries the unsubscribe link in text and HTML', () => {
    const content = renderEmail('check_in', {
      tenantName: 'Northwind <Appraisals>',
      contactName: 'Dana Whitfield',
      unsubscribeUrl: 'https://u.example/?token=u1.a.b',
    });
    expect(content.subject).toBe('Checking in from Northwind <Appraisals>');
    expect(content.text).toContain('Hi Dana,');
    expect(content.text).toContain('https://u.example/?token=u1.a.b');
    expect(content.html).toContain('Northwind &lt;Appraisals&gt;');
    expect(content.html).toContain('href="https://u.example/?token=u1.a.b"');
  });

  it('refuses an unknown template', () => {
    expect(() =>
      renderEmail('nope', { tenantName: 'x', unsubscribeUrl: 'https://u.example/' }),
    ).toThrow(RangeError);
  });
});

describe('Config: sender', () => {
  const env = {
    TABLE_NAME: 'agent-table',
    EMAIL_FROM_ADDRESS: 'agent@northwind.example',
    UNSUBSCRIBE_BASE_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
    EMAIL_INTERNAL_DOMAINS: 'Northwind.example, yourcompany.example',
  };

  it('reads the sender variables with defaults', () => {
    expect(loadSenderConfig(env)).toMatchObject({
      fromAddress: 'agent@northwind.example',
      internalDomains: ['northwind.example', 'yourcompany.example'],
      internalAddresses: [],
      claimTtlSeconds: 300,
      maxReceiveCount: 5,
      sendMode: 'dry_run',
    });
  });

  it('names the variable that is missing', () => {
    expect(() => loadSenderConfig({ ...env, UNSUBSCRIBE_BASE_URL: '' })).toThrow(
      /^UNSUBSCRIBE_BASE_URL: /,
    );
  });

  it.each([
    { value: undefined, disabled: false },
    { value: 'false', disabled: false },
    { value: 'true', disabled: true },
    { value: 'maybe', disabled: true },
  ])(
    'reads EMAIL_SEND_DISABLED=$value at call time as $disabled (fail closed)',
    ({ value, disabled }) => {
      const environment: Record<string, string | undefined> = {};
      const read = emailSendDisabledFrom(environment);
      environment['EMAIL_SEND_DISABLED'] = value;
      expect(read()).toBe(disabled);
    },
  );
});

describe('Domain: zoned time', () => {
  it('maps wall-clock time in a zone to the instant and back', () => {
    const instant = zonedInstant({ year: 2026, month: 7, day: 1, hour: 9 }, 'Europe/Berlin');
    expect(instant.toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(zonedParts(instant, 'Europe/Berlin')).toMatchObject({ hour: 9, weekday: 3 });
  });

  it('finds local midnight across the autumn DST change', () => {
    expect(
      startOfNextLocalDay(new Date('2026-10-25T12:00:00.000Z'), 'Europe/Berlin').toISOString(),
    ).toBe('2026-10-25T23:00:00.000Z');
  });
});
