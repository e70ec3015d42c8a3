/* global module */
// node:https as CommonJS, so a bundle requires it instead of importing it as ESM (see
// FUNCTION_BUNDLE_ALIASES in infra/constructs/function-bundling.ts).
module.exports = process.getBuiltinModule('node:https');
