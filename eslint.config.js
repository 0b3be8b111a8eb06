import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './build/lint/layers.js';

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
    // the layer table (which folder may import which): build/lint/layers.js
    files: ['shared/**/*.ts', 'electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { conductor: layersPlugin },
    rules: { 'conductor/layers': 'error' },
  },
  {
    files: ['bin/**/*.js', 'build/**/*.js', '.ci/**/*.js', 'test/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
