// Builds what the in-VS Code suite loads: the extension, debug adapter, VMM and language server bundles in
// dist/ (the same bundles esbuild.mjs makes, each alone so an unrelated broken program does not stop the suite),
// and the mocha suite (test/vscode/suite/*.ts) as CommonJS in out/test/vscode/, vscode and mocha left
// to the extension host's module resolution.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const suiteOutDir = 'out/test/vscode';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

/** What a launch in the suite runs: the extension, the adapter, the VMM with its vCPU threads, the language server. */
const programs = [
  { in: 'src/extension/extension.ts', out: 'extension', required: true },
  { in: 'src/dap/debugAdapter.ts', out: 'debugAdapter', required: true },
  { in: 'src/vmm/cli.ts', out: 'vmm', banner: '#!/usr/bin/env node' },
  { in: 'src/vmm/engine/vcpuWorker.ts', out: 'vcpuWorker' },
  { in: 'src/vmm/kvm/kvmVcpuWorker.ts', out: 'kvmVcpuWorker' },
  { in: 'src/dap/lsp/server.ts', out: 'languageServer' },
  { in: 'src/dap/lsp/declarationWorker.ts', out: 'lspDeclarationWorker' },
];

export async function buildExtensionAndAdapter(root) {
  const results = await Promise.allSettled(programs.map((program) => esbuild.build({
    ...common,
    entryPoints: { [program.out]: join(root, program.in) },
    outdir: join(root, 'dist'),
    sourcemap: true,
    external: ['vscode', 'iced-x86', 'koffi'],
    banner: program.banner ? { js: program.banner } : undefined,
  })));
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    if (programs[i].required) throw result.reason;
    console.warn(`dist/${programs[i].out}.js not rebuilt (tests that launch a guest may fail): ${result.reason.message}`);
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

/**
 * The VMM a launch in the suite starts. While `kvmi-vmm run` does not take --introspect, the adapter
 * tests' runner (test/unit/dap/support/introspectedVmm.ts: the same command line built from the VMM's
 * machine and KVMI host) is bundled with the vCPU thread programs and named by KVMI_VMM.
 * Returns its path, or undefined when dist/vmm.js takes --introspect itself.
 */
export async function buildIntrospectedVmmIfNeeded(root) {
  const help = spawnSync(process.execPath, [join(root, 'dist/vmm.js'), '--help'], { encoding: 'utf8' });
  if (`${help.stdout}${help.stderr}`.includes('--introspect')) return undefined;
  const outdir = join(root, suiteOutDir, 'vmm');
  await esbuild.build({
    ...common,
    entryPoints: {
      vmm: join(root, 'test/unit/dap/support/introspectedVmm.ts'),
      vcpuWorker: join(root, 'src/vmm/engine/vcpuWorker.ts'),
      kvmVcpuWorker: join(root, 'src/vmm/kvm/kvmVcpuWorker.ts'),
    },
    outdir,
    external: ['vscode', 'iced-x86', 'koffi'],
  });
  return join(outdir, 'vmm.js');
}
