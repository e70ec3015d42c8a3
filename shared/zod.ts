import { config } from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini starts without a locale (issues would read "Invalid input"); English is the message set
// tests, errors and the README quote. Every schema module imports zod through this file, so the
// locale is configured before any schema parses.
config(en());

/**
 * zod's tree-shakable functional API (`zod/mini`) with the English locale configured: import it
 * as `import * as z from '<relative>/zod.js'` instead of `'zod'`, whose method-chaining classes
 * put about 75 KiB into every bundle.
 */
export * from 'zod/mini';
