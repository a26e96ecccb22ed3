// Lint rules for every package, test and benchmark. Type errors are tsc's job (`tsc -b`);
// this catches what the compiler allows but we do not: `any`, non-null assertions, unused code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // .cache/: the other Node versions `npm run setup` installs (scripts/node-versions.mjs).
  { ignores: ['**/dist/**', '**/.tsbuild/**', '**/node_modules/**', '**/coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...tseslint.configs.stylistic,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Export names explicitly (STYLE.md: no `export *`).' }],
    },
  },
  {
    // The ring is pure: it runs in browsers, Deno and Bun, so it may not import Node built-ins.
    files: ['packages/ring/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: '@shardcache/ring must not import Node built-ins.' }] }],
    },
  },
  {
    // CommonJS on purpose: the pack test's application proves require() of every package.
    files: ['**/*.cjs', '**/*.cts'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
