// Layer boundaries are lint errors (STYLE.md §4.6): each top folder may import
// only what its process can load.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'url', 'zlib'];

const shellFiles = ['main/index.ts', 'main/window.ts', 'main/protocol.ts', 'main/ipc/register.ts', 'main/platform/electronPlatform.ts'];
const driverFile = 'main/db/open.ts';

/** main/: only the shell loads electron, only one module loads the SQLite driver. */
function mainBoundaries() {
  const electron = { name: 'electron', message: 'Only the thin shell imports electron; services stay plain Node.' };
  const driver = { name: 'better-sqlite3-multiple-ciphers', message: 'Only main/db/open.ts loads the SQLite driver (it also does the encryption).' };
  const plainDriver = { name: 'better-sqlite3', message: 'EvalNotes ships one SQLite driver: better-sqlite3-multiple-ciphers, loaded by main/db/open.ts.' };
  const layers = { group: ['**/renderer/**', '**/preload/**'], message: 'main/ may not import renderer/ or preload/.' };
  const rule = (paths) => ({ 'no-restricted-imports': ['error', { paths, patterns: [layers] }] });
  return [
    { files: ['main/**/*.ts'], ignores: [...shellFiles, driverFile], rules: rule([electron, driver, plainDriver]) },
    { files: shellFiles, rules: rule([driver, plainDriver]) },
    { files: [driverFile], rules: rule([electron, plainDriver]) },
  ];
}

export default tseslint.config(
  { ignores: ['out/**', 'release/**', 'node_modules/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'build/scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers', 'react', 'react-dom', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'shared/ is environment-free: no Node, DOM, Electron or other layers.' }] }],
    },
  },
  {
    // The Markdown rules: React elements (no DOM), the one piece both the report (main) and the screens render with.
    files: ['shared/markdown.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers', 'react-dom', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'shared/ is environment-free: no Node, DOM, Electron or other layers.' }] }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, 'electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers', '**/main/**', '**/preload/**'], message: 'renderer/ talks to main only through the Api bridge (renderer/lib/api.ts).' }] }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...nodeBuiltins, 'better-sqlite3', 'better-sqlite3-multiple-ciphers', '**/main/**', '**/renderer/**'], message: 'preload/ may import only shared/ and electron.' }] }],
    },
  },
  ...mainBoundaries(),
  {
    files: ['main/cli/**/*.ts', 'build/scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
