// `npm run bench`: runs every benchmark of the project one after the other, each in its own Node
// process (so one benchmark's JIT state and memory do not colour the next), and prints their
// figures. Each benchmark compares itself with a peer measured in the same run where it has one.
// Usage: npm run bench [-- name-substring ...]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Benchmark { name: string; file: string; args: string[]; what: string }

const BENCHMARKS: Benchmark[] = [
  { name: 'guest-vs-qemu', file: 'guestVsQemu.ts', args: [], what: 'software engine vs QEMU TCG on the bench guest; unfired watchpoints' },
  { name: 'unfired', file: 'unfiredWatchpoints.ts', args: [], what: 'software engine: 1,000 restricted frames the guest never touches vs none, in one process' },
  { name: 'cpu-mips', file: 'cpuMips.ts', args: ['30'], what: 'software x86 core, tight integer loop' },
  { name: 'kvm', file: 'kvmBench.ts', args: [], what: 'KVM engine: ring-3 workload vs native, kernel workload, watchpoint round trip, unfired watchpoints, kernel round trips' },
  { name: 'kvmi', file: 'kvmiRoundTrip.ts', args: ['5000'], what: 'KVMI event round trip and READ_PHYSICAL throughput' },
  { name: 'dap', file: 'dapLatency.ts', args: ['5'], what: 'debug adapter: stop latency, launch to first instruction, stop inspection' },
  { name: 'debuginfo', file: 'debuginfo.ts', args: [], what: 'ELF/DWARF reader on a large generated program' },
  { name: 'lsp', file: 'lspIndex.ts', args: [], what: 'language server: indexing and hover latency' },
];

const filters = process.argv.slice(2);
const chosen = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
const failures: string[] = [];
for (const bench of chosen) {
  console.log(`\n=== ${bench.name}: ${bench.what}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, bench.file), ...bench.args], {
    stdio: 'inherit', cwd: join(__dirname, '..', '..'),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) failures.push(`${bench.name} (exit ${result.status ?? result.signal})`);
  console.log(`--- ${bench.name}: ${result.status === 0 ? 'done' : 'FAILED'} in ${seconds} s`);
}
if (failures.length > 0) {
  console.error(`\nbenchmarks that failed: ${failures.join(', ')}`);
  process.exit(1);
}
