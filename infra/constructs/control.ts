import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { killSwitchParameterName, type Stage } from '../../shared/config.js';

/** Props for {@link KillSwitch}. */
export interface KillSwitchProps {
  readonly appName: string;
  readonly stage: Stage;
}

/** What operators see next to the parameter in the SSM console. */
const DESCRIPTION =
  'Agent kill switch. "off": the agent runs. "on": stop all agent activity (hourly cycles, ' +
  'sends, ingest) until it is set back to "off". If the agent cannot read this parameter it ' +
  'stops as if "on" (fail closed). Flip with: agentctl kill-switch on|off.';

/**
 * The global kill switch (capability: control): an SSM String parameter at
 * `/<app>/<stage>/kill-switch`, created as `off`.
 *
 * The name is physical on purpose: it is the contract operators and `agentctl` use. CloudFormation
 * writes the value only when it creates the parameter or when this resource's properties change,
 * so a routine deploy leaves an operator's `on` in place; changing the description or value here
 * would reset it to `off`.
 */
export class KillSwitch extends Construct {
  /** The parameter; functions get `parameter.grantRead(fn)` and `parameter.parameterName`. */
  readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: KillSwitchProps) {
    super(scope, id);
    this.parameter = new StringParameter(this, 'Resource', {
      parameterName: killSwitchParameterName(props.appName, props.stage),
      stringValue: 'off',
      description: DESCRIPTION,
      tier: ParameterTier.STANDARD,
    });
  }
}
