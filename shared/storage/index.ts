import type { TableContext } from './table-client.js';
import { TenantRepository } from './tenant-repository.js';
import { ContactRepository } from './contact-repository.js';
import { AccountRepository } from './account-repository.js';
import { RunRepository } from './run-repository.js';
import { TenantLockRepository } from './tenant-lock.js';
import { TenantWakeRepository } from './tenant-wake-repository.js';

export * from './keys.js';
export * from './table-schema.js';
export * from './table-client.js';
export { TenantRepository } from './tenant-repository.js';
export { ContactRepository } from './contact-repository.js';
export { AccountRepository } from './account-repository.js';
export { RunRepository } from './run-repository.js';
export { TenantLockRepository, type TenantLock } from './tenant-lock.js';
export { TenantWakeRepository, DIRTY_WAKE_AT } from './tenant-wake-repository.js';

/** Every repository over one table. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly contacts: ContactRepository;
  readonly accounts: AccountRepository;
  readonly runs: RunRepository;
  readonly locks: TenantLockRepository;
  readonly wake: TenantWakeRepository;
}

/** Builds every repository over one table context. */
export function createRepositories(ctx: TableContext): Repositories {
  return {
    tenants: new TenantRepository(ctx),
    contacts: new ContactRepository(ctx),
    accounts: new AccountRepository(ctx),
    runs: new RunRepository(ctx),
    locks: new TenantLockRepository(ctx),
    wake: new TenantWakeRepository(ctx),
  };
}
