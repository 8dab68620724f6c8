import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.state/', 'coverage/', 'jest.config.js', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Every promise is awaited or explicitly voided: a dropped promise in a workflow or activity hides failures.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no I/O, nothing but @temporalio/workflow and pure modules.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'os',
                'crypto',
                'child_process',
                'http',
                'https',
                'net',
                'timers',
              ],
              message: 'workflow code must be deterministic: no Node built-ins',
            },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'workflows import only @temporalio/workflow and pure modules',
            },
            {
              group: [
                '**/activities/*',
                '**/activities',
                '**/providers/*',
                '**/workers/*',
                '**/triggers/*',
                '**/client/*',
                '**/cli/*',
                '**/fleet/*',
              ],
              allowTypeImports: true,
              message: 'workflows reach side effects only through activities',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
