// Builds what the in-VS Code suite loads: the extension and debug adapter bundles in dist/ (the same
// bundles esbuild.mjs makes, built here alone so an unrelated broken program does not stop the suite),
// and the mocha suite (test/vscode/suite/*.ts) as CommonJS in out/test/vscode/, vscode and mocha left
// to the extension host's module resolution.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const suiteOutDir = 'out/test/vscode';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

export async function buildExtensionAndAdapter(root) {
  await esbuild.build({
    ...common,
    entryPoints: { extension: join(root, 'src/extension/extension.ts'), debugAdapter: join(root, 'src/dap/debugAdapter.ts') },
    outdir: join(root, 'dist'),
    sourcemap: true,
    external: ['vscode', 'iced-x86', 'koffi'],
  });
}

export async function buildSuite(root) {
  const suiteDir = join(root, 'test/vscode/suite');
  const entryPoints = readdirSync(suiteDir).filter((name) => name.endsWith('.ts')).map((name) => join(suiteDir, name));
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: join(root, suiteOutDir),
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
  });
  return join(root, suiteOutDir, 'index.js');
}
