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
  {
    // Only workers/ runs activity code. The CLI, the webhook server, benches and the core reach Temporal
    // through client/; an activity imported elsewhere would run outside a worker, without its retries,
    // heartbeats or history (docs: DESIGN.md, "nothing outside workers/ imports activities/ at runtime").
    // Types are fine. test/ is left out: its harness builds workers.
    files: [
      'cli/**/*.ts',
      'triggers/**/*.ts',
      'client/**/*.ts',
      'bench/**/*.ts',
      'core/**/*.ts',
      'providers/**/*.ts',
      'fleet/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'only workers/ imports activities/ at runtime; use client/ (types are fine)',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
