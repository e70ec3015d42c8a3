/** The part of an SDK request the emulator signer touches. */
interface SignableRequest {
  headers: Record<string, string>;
}

/**
 * An SDK request signer for the embedded emulators (dynalite, fauxqs), which check that a
 * request carries a SigV4-shaped `Authorization` header and an `X-Amz-Date` but never verify the
 * signature. It writes fixed values instead of signing, which saves the per-request key
 * derivation and HMACs (about 7 % of a simulation's CPU). Never give it a client that talks to
 * AWS.
 */
export function emulatorSigner(region: string, service: string) {
  const credential = `local/20260101/${region}/${service}/aws4_request`;
  const authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=0`;
  let second = NaN;
  let date = '';
  return {
    sign: <Request extends SignableRequest>(request: Request): Promise<Request> => {
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) {
        second = now;
        date = amzDate(new Date(now * 1000));
      }
      request.headers['authorization'] = authorization;
      request.headers['x-amz-date'] = date;
      return Promise.resolve(request);
    },
  };
}

function amzDate(instant: Date): string {
  return instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
