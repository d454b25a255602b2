// The workloads of cpuMips.ts, bundled by esbuild like the shipped VMM: a 64-bit integer loop
// (load, add, xor, shift, store, inc, cmp, jne) run in run() slices of 100k instructions, and a
// compiled test guest (bench-small: sorting, searching, hashing) booted through the PVH loader.
// `blocks` selects compiled blocks (the default) or the interpreter alone.

import { bootGuest } from '../unit/x86/pvhBoot';
import { CODE, DATA, load, longMode, newMachine } from '../unit/x86/testMachine';

export function measure(totalInstructions: number, blocks = true): { instructions: number; seconds: number; cpuSeconds: number; exit: string } {
  const m = newMachine();
  longMode(m);
  m.cpu.blocksEnabled = blocks;
  // loop: mov rdx,[rdi]; add rax,rbx; xor rdx,rax; shl rbx,1; mov [rdi],rdx; inc rcx; cmp rcx,rsi; jne loop
  const body = [0x48, 0x8b, 0x17, 0x48, 0x01, 0xd8, 0x48, 0x31, 0xc2, 0x48, 0xd1, 0xe3, 0x48, 0x89, 0x17,
    0x48, 0xff, 0xc1, 0x48, 0x39, 0xf1];
  load(m, [...body, 0x75, (256 - (body.length + 2)) & 0xff, 0xf4]);
  const r = m.cpu.getRegs();
  Object.assign(r, { rdi: BigInt(DATA), rbx: 3n, rsi: BigInt(Math.ceil(totalInstructions / 8)), rcx: 0n, rip: BigInt(CODE) });
  m.cpu.setRegs(r);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let exit;
  do exit = m.cpu.run(100000); while (exit.kind === 'budget');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { instructions: m.cpu.instructions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, exit: exit.kind };
}

/** Boots a PVH test guest (e.g. bench-small) and measures its MIPS until it exits. */
export function measureGuest(path: string, blocks = true): { instructions: number; seconds: number; cpuSeconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const run = bootGuest(path, undefined, (cpu) => { cpu.blocksEnabled = blocks; });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { instructions: run.cpu.instructions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, stdout: run.stdout };
}
