import { accountSchema, type Account } from '../domain/entities.js';
import { SK_PREFIX, keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { EntityRepository } from './entity-repository.js';

/** Accounts (client organisations) of a tenant. */
export class AccountRepository extends EntityRepository<Account> {
  constructor(ctx: TableContext) {
    super(ctx, {
      entity: 'account',
      schema: accountSchema,
      skPrefix: SK_PREFIX.account,
      idOf: (account) => account.accountId,
      key: keys.account,
    });
  }
}
