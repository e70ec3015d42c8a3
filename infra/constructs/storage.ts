import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../shared/storage/table-schema.js';

/** Props for {@link AgentTable}. */
export interface AgentTableProps {
  /**
   * Keep the table when the stack is deleted or the resource replaced (RETAIN) and turn on
   * deletion protection. Production sets this; other stages get a table that goes with the stack.
   */
  readonly retain: boolean;
}

/**
 * The agent's single DynamoDB table (capability: storage), built from {@link TABLE_SCHEMA}:
 * string `pk`/`sk`, the generic `gsi1` index (all attributes projected), a TTL attribute,
 * on-demand billing, point-in-time recovery and encryption with the AWS-managed key.
 * Pass `table.tableName` to functions; the table has no physical name.
 */
export class AgentTable extends Construct {
  /** The table; grant access with `table.grantReadWriteData(fn)` and pass `table.tableName`. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AgentTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Resource', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
