// Compiles the in-VS Code mocha suite (test/vscode/suite/*.ts) into out/test/vscode/ for the extension
// host: one CommonJS bundle per file, with vscode and mocha left to the host's module resolution.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const suiteOutDir = 'out/test/vscode';

export async function buildSuite(root) {
  const suiteDir = join(root, 'test/vscode/suite');
  const entryPoints = readdirSync(suiteDir).filter((name) => name.endsWith('.ts')).map((name) => join(suiteDir, name));
  await esbuild.build({
    entryPoints,
    outdir: join(root, suiteOutDir),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(root, suiteOutDir, 'index.js');
}
