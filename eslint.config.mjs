// Lint rules: typescript-eslint's recommended set plus the one-way dependency rule
// extension -> dap -> vmm expressed as restricted imports per folder.
import tseslint from 'typescript-eslint';

const vscodeAndDap = [
  { name: 'vscode', message: 'src/vmm is the hypervisor: it never imports VS Code.' },
  { name: '@vscode/debugadapter', message: 'src/vmm never imports debug-adapter code.' },
  { name: '@vscode/debugprotocol', message: 'src/vmm never imports debug-adapter code.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/guests/out/**', 'test/.artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/vmm/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: vscodeAndDap,
        patterns: [{ group: ['**/dap/**', '**/extension/**'], message: 'src/vmm must not depend on dap or extension code.' }],
      }],
    },
  },
  {
    files: ['src/dap/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/dap is a standalone Node program: it never imports VS Code.' }],
        patterns: [{ group: ['**/extension/**'], message: 'src/dap must not depend on extension code.' }],
      }],
    },
  },
);
