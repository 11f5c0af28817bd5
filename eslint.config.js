// The shape of the house, enforced (see ARCHITECTURE.md): no import cycles, type-only imports
// marked, and the floors' "nevers" as restricted imports per folder. import-x/no-cycle skips
// type-only imports; scripts/check-import-cycles.ts (also run by `npm run lint`) counts them.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Modules that do I/O or hold state: the pure floors never import them. */
const IMPURE = [
  {
    group: ['**/db/session.js', '**/db/session-pool.js', '**/db/open-sessions.js'],
    message: 'pure layers take data, not sessions (ARCHITECTURE.md)',
  },
  { group: ['**/state/*'], message: 'pure layers never touch the state database (ARCHITECTURE.md)' },
  { group: ['**/log/*'], message: 'pure layers never log (ARCHITECTURE.md)' },
  { group: ['**/cli/*', '**/cli/**'], message: 'nothing imports cli/: it is the top floor (ARCHITECTURE.md)' },
];
const NODE_IO = [
  { name: 'node:fs', message: 'pure layers do no I/O (ARCHITECTURE.md)' },
  { name: 'node:fs/promises', message: 'pure layers do no I/O (ARCHITECTURE.md)' },
  { name: 'node:child_process', message: 'pure layers do no I/O (ARCHITECTURE.md)' },
  { name: 'node:net', message: 'pure layers do no I/O (ARCHITECTURE.md)' },
];
const NO_CLI = [{ group: ['**/cli/*', '**/cli/**'], message: 'nothing imports cli/: it is the top floor (ARCHITECTURE.md)' }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', 'dist/validators/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Non-null assertions are the price of noUncheckedIndexedAccess (ARCHITECTURE.md).
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: NO_CLI }] },
  },
  {
    // The pure floors: SQL vocabulary, model, diff, plan (but its use case and file I/O), report, masking.
    files: [
      'src/sql/**/*.ts',
      'src/hash.ts',
      'src/errors.ts',
      'src/snapshot/**/*.ts',
      'src/diff/**/*.ts',
      'src/plan/**/*.ts',
      'src/report/**/*.ts',
      'src/mask/**/*.ts',
    ],
    ignores: ['src/plan/run-*.ts', 'src/plan/plan-file.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: NODE_IO, patterns: IMPURE }] },
  },
  {
    files: ['src/validate/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...NO_CLI, { group: ['**/report/*'], message: 'validate/ finds differences; report/ renders them (ARCHITECTURE.md)' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'dev/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
