// Flat config for the whole repository: typescript-eslint's recommended rules for
// TypeScript, eslint-plugin-vue's recommended rules for single-file components (the
// Vue parser first, typescript-eslint's for their <script lang="ts">), no explicit `any`,
// and the layering of eslint/architecture.js.
import boundaries from 'eslint-plugin-boundaries';
import pluginVue from 'eslint-plugin-vue';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { architectureConfig } from './eslint/architecture.js';

export default defineConfig(
  { ignores: ['out/', 'dist/', 'build/', 'node_modules/', 'test-results/', 'coverage/'] },
  {
    // .vue too: their <script lang="ts"> blocks get the same TypeScript rules
    files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.vue'],
    extends: [tseslint.configs.recommended],
  },
  {
    files: ['**/*.vue'],
    extends: [pluginVue.configs['flat/recommended']],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
    rules: {
      // Prettier-style formatting is not linted: these stylistic rules fight the code's layout.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.vue'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...architectureConfig(boundaries),
);
