import { AgentError } from '../../errors.js';

/** A message that cannot be parsed into something we can classify; `reason` says why, for the DLQ. */
export class MalformedMessageError extends AgentError {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super('MALFORMED_MESSAGE', `malformed message: ${reason}`, options);
    this.reason = reason;
  }
}
