import { Token, type Stack } from 'aws-cdk-lib';

/**
 * An ARN of this stack as cdk-nag prints it in a finding id (`<AWS::Region>` for an unresolved
 * region …), so an `AwsSolutions-IAM5[Resource::…]` acknowledgment names exactly one wildcard.
 */
export function nagRenderedArn(stack: Stack, service: string, resource: string): string {
  const part = (value: string, pseudo: string) =>
    Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
  return `arn:${part(stack.partition, 'Partition')}:${service}:${part(stack.region, 'Region')}:${part(
    stack.account,
    'AccountId',
  )}:${resource}`;
}
