/** Base class for errors the agent raises on purpose; `code` is stable for callers and metrics. */
export class AgentError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A configuration value is missing or invalid; `variable` names it. */
export class ConfigError extends AgentError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', `${variable}: ${message}`);
    this.variable = variable;
  }
}

/** Input failed validation; `field` names the offending field path. */
export class ValidationError extends AgentError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('VALIDATION_FAILED', `${field}: ${message}`);
    this.field = field;
  }
}

/** The tenant lock is held by someone else and has not expired. */
export class LockHeldError extends AgentError {
  readonly tenantId: string;
  readonly holder: string | undefined;
  readonly expiresAt: string | undefined;

  constructor(tenantId: string, holder?: string, expiresAt?: string) {
    super(
      'LOCK_HELD',
      `Lock for tenant ${tenantId} is held${holder ? ` by ${holder}` : ''}${expiresAt ? ` until ${expiresAt}` : ''}`,
    );
    this.tenantId = tenantId;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/** A lock operation (extend, release) was attempted by a caller that does not own the lock. */
export class LockNotOwnedError extends AgentError {
  readonly tenantId: string;
  readonly owner: string;

  constructor(tenantId: string, owner: string, detail: string) {
    super('LOCK_NOT_OWNED', `Lock for tenant ${tenantId} is not owned by ${owner}: ${detail}`);
    this.tenantId = tenantId;
    this.owner = owner;
  }
}

/** A tenant id was referenced that has no settings item. */
export class TenantNotFoundError extends AgentError {
  readonly tenantId: string;

  constructor(tenantId: string) {
    super('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
    this.tenantId = tenantId;
  }
}

/** An item that must be created once already exists (e.g. a run record for the same tenant-hour). */
export class AlreadyExistsError extends AgentError {
  constructor(what: string) {
    super('ALREADY_EXISTS', `${what} already exists`);
  }
}
