// Differential check of compiled blocks: random instruction sequences from the native differential
// generator (nativeDiff.ts), each wrapped in a 40-iteration loop so that it becomes a hot block, run
// with blocks and with the interpreter alone; registers, flags, memory, retired instructions and the
// exit must be identical (faults end in the test IDT's HLT handlers in both runs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from './encodingGenerator';
import { CODE_ADDR, generateCase, SCRATCH_ADDR, userMachine, type TestCase } from './nativeDiff';

const COUNTER = SCRATCH_ADDR + 4000; // above every pointer and stack slot the generator uses
const ITERATIONS = 40;
const RSP0 = 0x7f000; // ring-0 stack of userMachine(): a fault pushes its frame (RIP, RFLAGS, RSP) here
const NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** case code; dec dword [COUNTER] (RIP-relative in 64-bit code, absolute in 32-bit code); jnz start; hlt */
function loopCode(c: TestCase): number[] {
  const code = [...c.code];
  const decEnd = CODE_ADDR + code.length + 6;
  const disp = c.mode === 8 ? COUNTER - decEnd : COUNTER;
  code.push(0xff, 0x0d, disp & 0xff, (disp >>> 8) & 0xff, (disp >>> 16) & 0xff, (disp >>> 24) & 0xff);
  const rel = -(code.length + 6);
  code.push(0x0f, 0x85, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, (rel >>> 24) & 0xff, 0xf4);
  return code;
}

function runCase(c: TestCase, blocks: boolean): string {
  const m = userMachine(c.mode);
  m.cpu.blocksEnabled = blocks;
  m.ram.set(loopCode(c), CODE_ADDR);
  m.ram.set(c.scratch, SCRATCH_ADDR);
  m.dv.setUint32(COUNTER, ITERATIONS, true);
  const regs = m.cpu.getRegs();
  NAMES.forEach((n, k) => { regs[n] = c.gpr[k]; });
  regs.rip = BigInt(CODE_ADDR);
  regs.rflags = c.rflags;
  m.cpu.setRegs(regs);
  const exit = m.cpu.run(1_000_000);
  const r = m.cpu.getRegs();
  const scratch = Buffer.from(m.ram.subarray(SCRATCH_ADDR, SCRATCH_ADDR + 4096)).toString('hex');
  const exceptionFrame = Buffer.from(m.ram.subarray(RSP0 - 64, RSP0)).toString('hex');
  return JSON.stringify({ exit, r, instructions: m.cpu.instructions, scratch, exceptionFrame, compiled: blocks ? m.cpu.blocksCompiled > 0 : undefined },
    (_k, v) => typeof v === 'bigint' ? v.toString(16) : v);
}

for (const mode of [8, 4] as const) {
  test(`random ${mode === 8 ? '64-bit' : '32-bit'} instruction loops run identically with and without compiled blocks`, () => {
    const rand = rng(mode * 1237);
    let compiled = 0;
    for (let k = 0; k < 300; k++) {
      const c = generateCase(rand, mode);
      const withBlocks = JSON.parse(runCase(c, true)) as { compiled: boolean };
      if (withBlocks.compiled) compiled++;
      const plain = runCase(c, false);
      assert.deepEqual({ ...withBlocks, compiled: undefined }, { ...JSON.parse(plain), compiled: undefined }, c.text);
    }
    assert.ok(compiled > 100, `only ${compiled} of 300 loops were compiled`);
  });
}
