// Benchmark of the debug-info reader on a large generated program: writes a C file with N
// functions and N globals (default 25,000 each), compiles it with gcc -g, and prints symbols
// indexed per second, address/name lookup times, and DWARF/line-table load and query times.
// Usage: node --import tsx test/bench/debuginfo.ts [N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DebugInfo } from '../../src/dap/debuginfo/index';

const count = Number(process.argv[2] ?? 25_000);
const dir = join(__dirname, '..', '.artifacts', 'debuginfo-bench');

function generate(n: number): string {
  const parts = ['/* generated for the debug-info benchmark */'];
  for (let i = 0; i < n; i++) {
    parts.push(`int global_${i} = ${i};`);
    parts.push(`int function_${i}(int x) { global_${i} += x; return global_${i} * ${(i % 7) + 1}; }`);
  }
  parts.push('int main(void) { return function_0(1); }');
  return parts.join('\n');
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

function main(): void {
  if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('skipped: gcc not installed');
    return;
  }
  mkdirSync(dir, { recursive: true });
  const source = join(dir, `bench-${count}.c`), binary = join(dir, `bench-${count}`);
  const text = generate(count);
  if (!existsSync(source) || readFileSync(source, 'utf8') !== text) writeFileSync(source, text);
  // The generated program only depends on N: reuse an up-to-date binary from an earlier run.
  const fresh = existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs;
  const compile = time(() => (fresh ? undefined : spawnSync('gcc', ['-g', '-O0', '-o', binary, source], { encoding: 'utf8' })));
  if (compile.value && compile.value.status !== 0) throw new Error(compile.value.stderr);
  const bytes = new Uint8Array(readFileSync(binary));
  console.log(`generated ${count} functions + ${count} globals; ${fresh ? 'reused the binary' : `gcc took ${(compile.ms / 1000).toFixed(1)} s`}; ELF ${(bytes.length / 1e6).toFixed(1)} MB`);

  const open = time(() => DebugInfo.fromBytes(bytes));
  const info = open.value;
  const table = time(() => info.symbolTable);
  const index = time(() => info.symbols);
  const symbols = index.value.size;
  const indexMs = table.ms + index.ms;
  console.log(`ELF headers: ${open.ms.toFixed(1)} ms`);
  console.log(`symbols: ${table.value.length} read in ${table.ms.toFixed(1)} ms, ${symbols} indexed in ${index.ms.toFixed(1)} ms`
    + ` -> ${Math.round(table.value.length / (indexMs / 1000)).toLocaleString('en-US')} symbols/s`);

  const functions = table.value.filter((s) => s.type === 'func' && s.size > 0);
  const lookups = 200_000;
  const probes = Array.from({ length: lookups }, (_, i) => functions[(i * 7919) % functions.length].value + BigInt(i % 8));
  const byAddress = time(() => { let hits = 0; for (const a of probes) if (index.value.lookupAddress(a)) hits++; return hits; });
  console.log(`address lookup: ${(byAddress.ms * 1e6 / lookups).toFixed(0)} ns each (${byAddress.value}/${lookups} hits)`);
  const byName = time(() => { let hits = 0; for (let i = 0; i < lookups; i++) if (index.value.lookupName(`function_${i % count}`)) hits++; return hits; });
  console.log(`name lookup: ${(byName.ms * 1e6 / lookups).toFixed(0)} ns each (${byName.value}/${lookups} hits)`);
  const search = time(() => index.value.search('function_1234'));
  console.log(`substring search over all names: ${search.ms.toFixed(1)} ms (${search.value.length} matches)`);

  const scan = time(() => DebugInfo.fromBytes(bytes).declarations);
  console.log(`DWARF declarations scan: ${scan.value.functions.length} functions, ${scan.value.variables.length} fixed-address variables in ${scan.ms.toFixed(0)} ms`);
  const program = time(() => info.program);
  console.log(`DWARF .debug_info: ${program.value.subprograms.length} subprograms, ${program.value.globals.length} globals in ${program.ms.toFixed(0)} ms`);
  const lines = time(() => info.lines);
  const lineProbes = probes.slice(0, 50_000);
  const lineLookup = time(() => { let hits = 0; for (const a of lineProbes) if (lines.value.lookupAddress(a)) hits++; return hits; });
  console.log(`line index built in ${lines.ms.toFixed(0)} ms; address -> line: ${(lineLookup.ms * 1e6 / lineProbes.length).toFixed(0)} ns each (${lineLookup.value} hits)`);
  const lineQuery = time(() => { let n = 0; for (let i = 0; i < 2_000; i++) n += lines.value.addressesForLine(`bench-${count}.c`, 3 + 2 * (i % count)).length; return n; });
  console.log(`line -> addresses: ${(lineQuery.ms * 1e3 / 2_000).toFixed(1)} us each (${lineQuery.value} addresses)`);
  const pcQuery = time(() => { let n = 0; for (const a of lineProbes) if (program.value.subprogramAt(a)) n++; return n; });
  console.log(`subprogram at pc: ${(pcQuery.ms * 1e6 / lineProbes.length).toFixed(0)} ns each (${pcQuery.value} hits)`);
  const globalLookup = time(() => { let hits = 0; for (let i = 0; i < 50_000; i++) if (program.value.globalAt(program.value.globals[i % program.value.globals.length].address!)) hits++; return hits; });
  console.log(`global-at-address: ${(globalLookup.ms * 1e6 / 50_000).toFixed(0)} ns each (${globalLookup.value} hits)`);
  const unwinder = time(() => info.unwinder);
  const fdeLookup = time(() => { let hits = 0; for (const a of lineProbes) if (unwinder.value.rowAt(a)) hits++; return hits; });
  console.log(`CFI loaded in ${unwinder.ms.toFixed(0)} ms; unwind row lookup: ${(fdeLookup.ms * 1e6 / lineProbes.length).toFixed(0)} ns each`);
}

main();
