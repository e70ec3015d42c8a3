import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'cdk.out/**', 'coverage/**', '.local/**', '.bench/**', 'dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Domain logic is pure: no AWS SDK, no I/O (DESIGN.md section 3).
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'shared/domain stays free of AWS SDK and CDK imports.',
            },
            {
              group: ['node:fs', 'node:net', 'node:http', 'fs', 'net', 'http'],
              message: 'shared/domain does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take now from a Clock.' },
      ],
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    ignores: ['shared/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take now from a Clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Identifier[name='TransactWriteItemsCommand']",
          message:
            'No transactions: every invariant is one conditional write (DESIGN.md section 2).',
        },
        {
          selector: "Identifier[name='TransactWriteCommand']",
          message:
            'No transactions: every invariant is one conditional write (DESIGN.md section 2).',
        },
      ],
    },
  },
);
