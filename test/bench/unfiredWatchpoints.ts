// The cost of KVMI page restrictions that never fire, on the software engine, in one process: the
// bench-medium guest with the PF intercept on and no restricted frame, against the same with 1,000
// restricted frames the workload never touches (from 16 MiB up, far above the guest image),
// interleaved round by round in alternating order so that load changes hit both alike; medians of wall time and of the
// process's CPU time (the vCPU thread and V8's compiler threads). Goal: under 5%.
// Usage: node --import tsx test/bench/unfiredWatchpoints.ts [rounds=11]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { EmulatorEngine } from '../../src/vmm/engine/emulatorEngine';
import { createMachine } from '../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath } from '../support/guests';

const rounds = Number(process.argv[2] ?? 11);
const GUEST = 'bench-medium';
const UNTOUCHED_BASE = 16 * 2 ** 20;

interface Sample { wallMs: number; cpuMs: number }

async function run(restrictedFrames: number): Promise<Sample> {
  let stdout = '';
  const m = await createMachine({ engine: new EmulatorEngine(), guest: readFileSync(guestPath(GUEST)), memoryMiB: 32, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); } });
  m.vm.onEvent((e) => e.reply('continue'));
  await m.vm.vcpus[0].setIntercepts({ pf: true });
  m.vm.setPageAccess(Array.from({ length: restrictedFrames }, (_, i) => ({ gpa: BigInt(UNTOUCHED_BASE + i * 4096), access: 0 })));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await m.start();
  const stop = await m.vm.finished;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (stop.kind !== 'exitPort' || stdout !== guestDescription(GUEST).expectedStdout) throw new Error(`${GUEST}: wrong result (${stop.kind})`);
  if (m.vm.stats().events !== 0) throw new Error('a restricted frame was touched: the comparison is void');
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function main(): Promise<void> {
  ensureGuestsBuilt();
  const none: Sample[] = [], thousand: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    // A B, then B A: whatever the previous run leaves behind (garbage, compiler work) falls on both.
    if (i % 2 === 0) { none.push(await run(0)); thousand.push(await run(1000)); }
    else { thousand.push(await run(1000)); none.push(await run(0)); }
  }
  const line = (label: string, s: Sample[]) => console.log(`${label.padEnd(40)} wall ${median(s.map((x) => x.wallMs)).toFixed(0)} ms, CPU ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms (median of ${rounds})`);
  line(`${GUEST}, PF intercept on, no restriction`, none);
  line(`${GUEST}, 1,000 untouched restricted frames`, thousand);
  const wall = median(thousand.map((x) => x.wallMs)) / median(none.map((x) => x.wallMs)) - 1;
  const cpu = median(thousand.map((x) => x.cpuMs)) / median(none.map((x) => x.cpuMs)) - 1;
  console.log(`cost of 1,000 unfired restrictions: wall ${(wall * 100).toFixed(1)}%, CPU ${(cpu * 100).toFixed(1)}% (goal < 5%); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

void main();
