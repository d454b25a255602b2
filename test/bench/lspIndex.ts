// Benchmark of the guest-symbol language server on a large generated guest: writes a C file with N
// functions and N globals (default 50,000 each, so >= 100,000 symbols), compiles it with gcc -g
// into test/.artifacts/lsp-bench/, then measures (1) in process: ELF symbols indexed per second
// and DWARF declaration indexing (which the server does in a worker thread), with the reader's
// declarations scan and full program model timed apart, and (2) over the LSP protocol (stdio, the esbuild bundle of the
// server): time from server start to the first hover answer and to the DWARF index, and hover
// latency once indexed. Goals: 100,000 symbols in < 2 s,
// hover < 10 ms.
// Usage: node --import tsx test/bench/lspIndex.ts [N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { DebugInfo } from '../../src/dap/debuginfo/index';
import { GuestImage } from '../../src/dap/lsp/guestImage';
import { LspTestClient } from '../unit/lsp/lspTestClient';

const count = Number(process.argv[2] ?? 50_000);
const dir = join(__dirname, '..', '.artifacts', 'lsp-bench');

function generate(n: number): string {
  const parts = ['/* generated for the language-server benchmark */'];
  for (let i = 0; i < n; i++) {
    parts.push(`int global_${i} = ${i};`);
    parts.push(`int function_${i}(int x) { global_${i} += x; return global_${i} * ${(i % 7) + 1}; }`);
  }
  parts.push('int main(void) { return function_0(1); }');
  return `${parts.join('\n')}\n`;
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Builds the guest unless an up-to-date build of the same source exists. */
function build(): { source: string; elf: string } {
  mkdirSync(dir, { recursive: true });
  const source = join(dir, `lsp-${count}.c`), elf = join(dir, `lsp-${count}.elf`);
  const text = generate(count);
  const same = existsSync(source) && readFileSync(source, 'utf8') === text;
  if (!same) writeFileSync(source, text);
  if (!same || !existsSync(elf) || statSync(elf).mtimeMs < statSync(source).mtimeMs) {
    const gcc = time(() => spawnSync('gcc', ['-g', '-O0', '-no-pie', '-o', elf, source], { encoding: 'utf8' }));
    if (gcc.value.status !== 0) throw new Error(gcc.value.stderr);
    console.log(`gcc -g: ${(gcc.ms / 1000).toFixed(1)} s`);
  }
  console.log(`guest: ${count} functions + ${count} globals, ELF ${(statSync(elf).size / 1e6).toFixed(1)} MB`);
  return { source, elf };
}

function inProcess(elf: string): void {
  const load = time(() => GuestImage.load(elf));
  const symbols = load.value.info.symbolTable.length;
  console.log(`ELF symbols: ${symbols} read and indexed in ${load.ms.toFixed(0)} ms -> ${Math.round(symbols / (load.ms / 1000)).toLocaleString('en-US')} symbols/s`);
  const declarations = time(() => load.value.indexDeclarationsNow());
  console.log(`DWARF declaration index (declarations scan + address lines, src/dap/lsp): ${declarations.ms.toFixed(0)} ms, ${load.value.declarationCount} declarations`);
  const scan = time(() => DebugInfo.fromFile(elf).declarations);
  console.log(`  the declarations scan alone (src/dap/debuginfo, warm second run): ${scan.ms.toFixed(0)} ms for ${scan.value.functions.length} functions, ${scan.value.variables.length} variables`);
  const model = time(() => DebugInfo.fromFile(elf).program);
  console.log(`for comparison, the full program model (debugger): ${model.ms.toFixed(0)} ms for ${model.value.subprograms.length} subprograms, ${model.value.globals.length} globals`);
}

/** Bundles the server and its DWARF thread as the extension ships them (like esbuild.mjs does for dist/). */
async function bundleServer(): Promise<string> {
  const lsp = join(__dirname, '..', '..', 'src', 'dap', 'lsp');
  const common = { bundle: true, platform: 'node' as const, target: 'node20', format: 'cjs' as const, external: ['iced-x86', 'koffi'], logLevel: 'warning' as const };
  await esbuild.build({ ...common, entryPoints: [join(lsp, 'declarationWorker.ts')], outfile: join(dir, 'lspDeclarationWorker.js') });
  await esbuild.build({ ...common, entryPoints: [join(lsp, 'server.ts')], outfile: join(dir, 'languageServer.js') });
  return join(dir, 'languageServer.js');
}

async function overProtocol(source: string, elf: string): Promise<void> {
  const bundle = await bundleServer();
  const started = performance.now();
  const client = await LspTestClient.start(dir, { options: { guestElfs: [elf] }, bundle, awaitGuests: 0 });
  const initialized = performance.now();
  const uri = await client.open(source);
  const lines = readFileSync(source, 'utf8').split('\n');
  const hover = (line: number) => client.request<{ contents: { value: string } } | null>('textDocument/hover',
    { textDocument: { uri }, position: { line, character: lines[line].indexOf('global_') + 1 } });
  const first = await hover(1);
  const firstAt = performance.now();
  if (!first?.contents.value.includes('global_0')) throw new Error(`unexpected first hover: ${JSON.stringify(first)}`);
  console.log(`server start -> initialized (ELF symbols indexed): ${(initialized - started).toFixed(0)} ms`);
  console.log(`server start -> first hover answered (from the ELF symbols): ${(firstAt - started).toFixed(0)} ms`);
  await client.until(() => client.indexed.length > 0);
  console.log(`server start -> DWARF declarations indexed (lenses, outline, types): ${(performance.now() - started).toFixed(0)} ms`);
  const typed = await hover(1);
  if (!typed?.contents.value.includes('`int`')) throw new Error(`hover after indexing has no DWARF type: ${JSON.stringify(typed)}`);
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const line = 1 + 2 * ((i * 7919) % count);
    const t = performance.now();
    const h = await hover(line);
    samples.push(performance.now() - t);
    if (!h) throw new Error(`no hover on line ${line + 1}`);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(2);
  console.log(`hover after indexing (round trip over stdio, ${samples.length} hovers): median ${pick(0.5)} ms, p95 ${pick(0.95)} ms, max ${pick(1)} ms`);
  const search = async (query: string) => {
    const t = performance.now();
    const found = await client.request<Array<{ name: string }>>('workspace/symbol', { query });
    return { ms: performance.now() - t, found };
  };
  const byName = await search('function_1234');
  console.log(`workspace symbol by name ("function_1234", ${byName.found.length} matches): ${byName.ms.toFixed(1)} ms`);
  const function1 = BigInt(`0x${spawnSync('nm', [elf], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.endsWith(' function_1'))!.split(' ')[0]}`);
  const address = await search(`0x${(function1 + 0x10n).toString(16)}`);
  console.log(`workspace symbol by address: ${address.ms.toFixed(1)} ms (${address.found.map((f) => f.name).join(', ') || 'no symbol'})`);
  await client.stop();
}

async function main(): Promise<void> {
  if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('skipped: gcc not installed');
    return;
  }
  const { source, elf } = build();
  inProcess(elf);
  await overProtocol(source, elf);
}

void main();
