import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionsByService,
  roleStatements,
  synthesizeAgentStack,
  type PolicyStatementJson,
  type SynthesizedAgentStack,
} from '../helpers/synth-stack.js';

const CYCLE = ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'];
const BOOKKEEPING = ['GetItem', 'UpdateItem'];

/**
 * The DynamoDB actions each function may take, pinned from the synthesized template: on the
 * table, on gsi1, and whether the grant is held by the function's tenant-scoped role (assumed
 * with the tenant session tag) rather than by its execution role.
 */
const EXPECTED: Record<
  string,
  { table: string[]; index: boolean; tenantScoped: boolean; ownStatements?: string[] }
> = {
  'begin-cycle': {
    table: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'],
    index: false,
    tenantScoped: true,
  },
  plan: { table: [...CYCLE, 'BatchWriteItem'], index: false, tenantScoped: true },
  act: { table: [...CYCLE, 'BatchWriteItem'], index: true, tenantScoped: true },
  react: { table: CYCLE, index: true, tenantScoped: true },
  reflect: { table: CYCLE, index: false, tenantScoped: true },
  'record-failure': { table: BOOKKEEPING, index: false, tenantScoped: true },
  'list-tenants': { table: [], index: true, tenantScoped: false },
  unsubscribe: { table: ['PutItem'], index: false, tenantScoped: false },
  sender: {
    table: CYCLE,
    index: false,
    tenantScoped: true,
    ownStatements: ['SharedSendingIdentityItems'],
  },
  'ses-feedback': { table: CYCLE, index: false, tenantScoped: true },
  'gmail-poller': {
    table: ['GetItem', 'PutItem', 'UpdateItem'],
    index: false,
    tenantScoped: true,
    ownStatements: ['ListEnabledTenants'],
  },
  ingest: { table: [...CYCLE, 'BatchWriteItem'], index: false, tenantScoped: true },
};

const TABLE_ID = 'Table7ABB320E';

function isIndexResource(resource: unknown): boolean {
  return JSON.stringify(resource).includes('/index/');
}

function isTableResource(resource: unknown): boolean {
  return JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [TABLE_ID, 'Arn'] });
}

/** The DynamoDB actions of a set of statements, split into table and index grants. */
function dynamoGrants(statements: PolicyStatementJson[]) {
  const dynamo = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
  const actions = (predicate: (resource: unknown) => boolean) =>
    [
      ...new Set(
        dynamo
          .filter((s) => s.Resource.some(predicate))
          .flatMap((s) => s.Action.map((a) => a.replace('dynamodb:', ''))),
      ),
    ].sort();
  return { table: actions(isTableResource), index: actions(isIndexResource), statements: dynamo };
}

/** The tenant-scoped role a function's execution role may assume, by logical id. */
function assumedRoleId(statements: PolicyStatementJson[]): string | undefined {
  const assume = statements.find((s) => s.Action.includes('sts:AssumeRole'));
  const target = assume?.Resource[0] as { 'Fn::GetAtt'?: [string, string] } | undefined;
  return target?.['Fn::GetAtt']?.[0];
}

describe('Infra: IAM per function and per tenant', () => {
  let synthesized: SynthesizedAgentStack;
  let functions: ReturnType<typeof functionsByService>;

  beforeAll(() => {
    synthesized = synthesizeAgentStack();
    functions = functionsByService(synthesized.template);
  });

  it('has an expectation for every function in the stack', () => {
    // Assess
    expect([...functions.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))(
    'grants %s exactly its own table actions and index access, and no DeleteItem or Scan',
    (service, expected) => {
      // Prepare
      const fn = functions.get(service)!;
      const own = roleStatements(synthesized.template, fn.roleId);
      const tenantRoleId = assumedRoleId(own);
      const holder = expected.tenantScoped
        ? roleStatements(synthesized.template, tenantRoleId ?? 'missing')
        : own;

      // Act
      const grants = dynamoGrants(holder);

      // Assess
      expect(tenantRoleId !== undefined).toBe(expected.tenantScoped);
      expect(grants.table).toEqual([...expected.table].sort());
      expect(grants.index).toEqual(expected.index ? ['Query'] : []);
      const all = grants.statements.flatMap((s) => s.Action);
      expect(all).not.toContain('dynamodb:DeleteItem');
      expect(all).not.toContain('dynamodb:Scan');
      if (expected.tenantScoped)
        expect(dynamoGrants(own).statements.map((statement) => statement.Sid)).toEqual(
          expected.ownStatements ?? [],
        );
    },
  );

  it('limits every tenant-scoped role to the tenant of its session tag by dynamodb:LeadingKeys', () => {
    // Prepare
    const scoped = Object.entries(EXPECTED).filter(([, expected]) => expected.tenantScoped);

    for (const [service] of scoped) {
      // Act
      const fn = functions.get(service)!;
      const statements = roleStatements(
        synthesized.template,
        assumedRoleId(roleStatements(synthesized.template, fn.roleId))!,
      );

      // Assess
      expect(statements.length, service).toBeGreaterThan(0);
      for (const statement of dynamoGrants(statements).statements.filter(
        (s) =>
          s.Sid !== 'OrganisationCycleSlots' &&
          s.Sid !== 'OwnTenantItemsWithSendingIdentityLadders',
      )) {
        expect(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual([
          'TENANT#${aws:PrincipalTag/tenant}',
          'TENANT#${aws:PrincipalTag/tenant}#*',
        ]);
      }
    }
  });

  it('lets only the lock steps reach organisation slots, on ORG# partitions only, without Query, Put or Delete', () => {
    // Prepare
    const scoped = Object.entries(EXPECTED).filter(([, expected]) => expected.tenantScoped);

    // Act
    const orgGrants = Object.fromEntries(
      scoped.flatMap(([service]) => {
        const fn = functions.get(service)!;
        const statements = roleStatements(
          synthesized.template,
          assumedRoleId(roleStatements(synthesized.template, fn.roleId))!,
        ).filter((s) => s.Sid === 'OrganisationCycleSlots');
        return statements.map((s) => [service, s] as const);
      }),
    );

    // Assess
    expect(Object.keys(orgGrants).sort()).toEqual(['begin-cycle', 'record-failure', 'reflect']);
    expect(orgGrants['begin-cycle']!.Action.sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(orgGrants['reflect']!.Action).toEqual(['dynamodb:UpdateItem']);
    expect(orgGrants['record-failure']!.Action).toEqual(['dynamodb:UpdateItem']);
    for (const statement of Object.values(orgGrants)) {
      expect(statement.Resource.every(isTableResource)).toBe(true);
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORG#*'] },
      });
    }
  });

  it('lets only the sender’s tenant role read sending-identity ladders, with Get and BatchGet alone, beside its own tenant’s items', () => {
    // Prepare
    const scoped = Object.entries(EXPECTED).filter(([, expected]) => expected.tenantScoped);

    // Act
    const ladderReads = scoped.flatMap(([service]) => {
      const fn = functions.get(service)!;
      return roleStatements(
        synthesized.template,
        assumedRoleId(roleStatements(synthesized.template, fn.roleId))!,
      )
        .filter((s) => JSON.stringify(s.Condition ?? {}).includes('IDENTITY#'))
        .map((s) => [service, s] as const);
    });

    // Assess
    expect(ladderReads.map(([service]) => service)).toEqual(['sender']);
    const [, statement] = ladderReads[0]!;
    expect(statement.Sid).toBe('OwnTenantItemsWithSendingIdentityLadders');
    expect([...statement.Action].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(statement.Resource.every(isTableResource)).toBe(true);
    expect(statement.Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [
          'TENANT#${aws:PrincipalTag/tenant}',
          'TENANT#${aws:PrincipalTag/tenant}#*',
          'IDENTITY#*',
        ],
      },
    });
  });

  it('lets a function assume its tenant role only with a tenant session tag, and trusts only that function', () => {
    // Prepare
    const fn = functions.get('act')!;
    const own = roleStatements(synthesized.template, fn.roleId);
    const assume = own.find((s) => s.Action.includes('sts:AssumeRole'))!;
    const roles = synthesized.template.toJSON()['Resources'] as Record<
      string,
      { Properties: { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } } }
    >;

    // Act
    const trust = roles[assumedRoleId(own)!]!.Properties.AssumeRolePolicyDocument.Statement;

    // Assess
    expect(assume.Action.sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(assume.Condition).toEqual({
      StringLike: { 'aws:RequestTag/tenant': '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
    });
    expect(trust).toEqual([
      expect.objectContaining({
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Principal: { AWS: { 'Fn::GetAtt': [fn.roleId, 'Arn'] } },
      }),
    ]);
    expect(fn.properties['Environment']).toMatchObject({
      Variables: { TENANT_DATA_ROLE_ARN: { 'Fn::GetAtt': [assumedRoleId(own), 'Arn'] } },
    });
  });

  it('leaves the Gmail poller one cross-tenant read on its execution role: Query of the enabled-tenant listing', () => {
    // Prepare
    const fn = functions.get('gmail-poller')!;

    // Act
    const own = dynamoGrants(roleStatements(synthesized.template, fn.roleId)).statements;

    // Assess
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      Action: ['dynamodb:Query'],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['TENANTS#ENABLED'] } },
    });
    expect(own[0]!.Resource.every(isIndexResource)).toBe(true);
  });

  it('leaves the sender one shared kind of item on its execution role: the sending identities’ counters', () => {
    // Prepare
    const fn = functions.get('sender')!;

    // Act
    const own = dynamoGrants(roleStatements(synthesized.template, fn.roleId)).statements;

    // Assess
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      Resource: [{ 'Fn::GetAtt': [TABLE_ID, 'Arn'] }],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IDENTITY#*'] } },
    });
  });

  it.each(['ingest', 'gmail-poller'])(
    'lets %s read only the tenant’s own Gmail refresh token and the shared OAuth client, through its tenant role',
    (service) => {
      // Prepare
      const fn = functions.get(service)!;
      const own = roleStatements(synthesized.template, fn.roleId);
      const tenantRole = roleStatements(synthesized.template, assumedRoleId(own)!);
      const secretActions = (statements: PolicyStatementJson[]) =>
        statements.filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:')));

      // Act
      const granted = secretActions(tenantRole);

      // Assess
      expect(secretActions(own)).toEqual([]);
      expect(granted).toHaveLength(1);
      expect(granted[0]!.Action.sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      const resources = JSON.stringify(granted[0]!.Resource);
      expect(resources).toContain(
        ':secret:engagement-agent/dev/gmail/tenants/${aws:PrincipalTag/tenant}-??????',
      );
      expect(resources).toContain(':secret:engagement-agent/dev/gmail/oauth-client-??????');
      expect(resources).not.toContain('*');
    },
  );

  it('reserves (and caps) the concurrency of the public unsubscribe function', () => {
    // Assess
    expect(functions.get('unsubscribe')!.properties['ReservedConcurrentExecutions']).toBe(5);
  });
});
