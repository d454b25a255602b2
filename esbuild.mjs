// Bundles the programs of the extension: the VS Code extension (vscode external), the debug
// adapter (standalone Node program speaking DAP on stdio), the guest-symbol language server and
// the VMM (standalone Node program, the `kvmi-vmm` command line).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const entries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/dap/debugAdapter.ts', out: 'debugAdapter' },
  { in: 'src/vmm/cli.ts', out: 'vmm', banner: '#!/usr/bin/env node' },
  // The guest-symbol language server, started by the extension (src/extension/languageClient.ts).
  { in: 'src/dap/lsp/server.ts', out: 'languageServer' },
  // Its DWARF indexing thread, loaded from the server's own directory (src/dap/lsp/guestImage.ts).
  { in: 'src/dap/lsp/declarationWorker.ts', out: 'lspDeclarationWorker' },
  // The VMM's vCPU threads: loaded by dist/vmm.js from its own directory (engine/emulatorEngine.ts).
  { in: 'src/vmm/engine/vcpuWorker.ts', out: 'vcpuWorker' },
  // The KVM engine's vCPU threads, loaded the same way (kvm/kvmEngine.ts).
  { in: 'src/vmm/kvm/kvmVcpuWorker.ts', out: 'kvmVcpuWorker' },
  // kvmi-watch: prints guest memory accesses caught through KVMI page access (src/dap/kvmiWatch.ts).
  { in: 'src/dap/kvmiWatch.ts', out: 'kvmi-watch', banner: '#!/usr/bin/env node' },
];

await Promise.all(entries.map((entry) => esbuild.build({
  entryPoints: { [entry.out]: entry.in },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'iced-x86', 'koffi'],
  banner: entry.banner ? { js: entry.banner } : undefined,
  logLevel: 'warning',
})));
