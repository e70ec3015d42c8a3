#!/usr/bin/env node
// agentctl entry point: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// Local tooling runs on Node.js 20; the SDK's notice about Node 22 (what Lambda runs) is known.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
