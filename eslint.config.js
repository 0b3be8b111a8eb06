import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.tsbuild/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // shared/ is pure TypeScript: no Node, no DOM, no electron.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'fs', 'path', 'http', 'react', 'react-dom'] }],
    },
  },
  {
    // Only electron/main and electron/preload may import electron.
    files: ['electron/core/**', 'electron/substrates/**', 'electron/load/**', 'electron/sandbox/**', 'electron/headless/**', 'renderer/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'] }] },
  },
  {
    // The renderer never touches Node or the cluster clients.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron'], patterns: ['node:*', '@kubernetes/*', '@aws-sdk/*', '**/electron/**'] }],
    },
  },
  {
    files: ['bin/**/*.js', 'build/**/*.js', '.ci/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
