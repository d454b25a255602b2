// Compiled blocks (blockCompiler.ts) against the interpreter alone: the same guest code run both ways
// must give identical registers, memory, retired-instruction counts and exits, also with small run
// budgets, self-modifying code, memory written by the debugger and KVMI events inside a hot block.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKS_ENABLED } from '../../../src/vmm/x86/blockCompiler';
import type { CpuExit } from '../../../src/vmm/x86/cpu';
import { CODE, DATA, load, longMode, newMachine, type TestMachine } from './testMachine';

const W = 2;
const R = 1, X = 4;

// 11 instructions per iteration: mov rdx,[rdi]; add rax,rbx; xor rdx,rax; shl rbx,1; mov [rdi],rdx;
// push rax; imul rax,rdx; pop rax; inc rcx; cmp rcx,rsi; jne loop; then hlt
const BODY = [0x48, 0x8b, 0x17, 0x48, 0x01, 0xd8, 0x48, 0x31, 0xc2, 0x48, 0xd1, 0xe3, 0x48, 0x89, 0x17,
  0x50, 0x48, 0x0f, 0xaf, 0xc2, 0x58, 0x48, 0xff, 0xc1, 0x48, 0x39, 0xf1];
const LOOP = [...BODY, 0x75, (256 - (BODY.length + 2)) & 0xff, 0xf4];
const STORE_OFFSET = 12; // mov [rdi],rdx

function machine(code: number[], blocks: boolean, iterations: number): TestMachine {
  const m = newMachine();
  longMode(m);
  load(m, code);
  m.cpu.blocksEnabled = blocks;
  const r = m.cpu.getRegs();
  Object.assign(r, { rdi: BigInt(DATA), rbx: 3n, rsi: BigInt(iterations), rcx: 0n, rax: 0n, rip: BigInt(CODE) });
  m.cpu.setRegs(r);
  return m;
}

interface Trace { exits: CpuExit[]; states: string[] }

function snapshot(m: TestMachine): string {
  const r = m.cpu.getRegs();
  return JSON.stringify({ ...r, instructions: m.cpu.instructions }, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v);
}

/** Calls run(budget) until HLT or an exit other than 'budget', recording every exit and state. */
function trace(m: TestMachine, budget: number, limit = 100000): Trace {
  const t: Trace = { exits: [], states: [] };
  for (let k = 0; k < limit; k++) {
    const exit = m.cpu.run(budget);
    t.exits.push(exit);
    t.states.push(snapshot(m));
    if (exit.kind !== 'budget') break;
  }
  return t;
}

test('blocks are switched on and compile a hot loop', (t) => {
  if (!BLOCKS_ENABLED) { t.skip('compiled blocks are switched off in blockCompiler.ts'); return; }
  const m = machine(LOOP, true, 1000);
  assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
  assert.ok(m.cpu.blocksCompiled >= 1, 'no block was compiled');
});

test('a hot loop gives the same registers, memory and instruction count with and without blocks', () => {
  for (const budget of [1_000_000, 7, 100, 13]) {
    const a = machine(LOOP, true, 3000), b = machine(LOOP, false, 3000);
    const ta = trace(a, budget), tb = trace(b, budget);
    assert.equal(ta.exits.length, tb.exits.length, `number of run() calls with budget ${budget}`);
    assert.deepEqual(ta.states, tb.states, `states after each run(${budget})`);
    assert.deepEqual(ta.exits, tb.exits);
    assert.equal(a.dv.getBigUint64(DATA, true), b.dv.getBigUint64(DATA, true));
    assert.equal(a.cpu.instructions, 3000 * 11 + 1);
  }
});

test('a write-restricted data page inside a hot block exits at that instruction with the state before it', () => {
  const results = [true, false].map((blocks) => {
    const m = machine(LOOP, blocks, 100000);
    assert.equal(m.cpu.run(5000 * 11 + 5).kind, 'budget');
    m.cpu.intercepts.pf = true;
    m.cpu.access[DATA >>> 12] = R | X;
    m.cpu.accessChanged();
    let exit = m.cpu.run(1_000_000);
    const events = [exit];
    const states = [snapshot(m)];
    // CONTINUE performs the write once; the next iteration raises again.
    for (let k = 0; k < 3; k++) {
      m.cpu.resume('continue');
      exit = m.cpu.run(1_000_000);
      events.push(exit);
      states.push(snapshot(m));
    }
    return { events, states, rip: m.cpu.getRegs().rip, memory: m.dv.getBigUint64(DATA, true) };
  });
  assert.deepEqual(results[0].events[0], { kind: 'pf', gva: BigInt(DATA), gpa: BigInt(DATA), access: W });
  assert.equal(results[0].rip, BigInt(CODE + STORE_OFFSET));
  assert.deepEqual(results[0], results[1]);
});

test('a store into the code of a running compiled block takes effect at the next instruction', () => {
  // loop: mov [r8], cl; add rax, imm8; inc rcx; cmp rcx,rsi; jne loop; hlt. r8 points at data first,
  // then (once the loop is hot) at the add's imm8, so every store patches the instruction after it.
  const body = [0x41, 0x88, 0x08, 0x48, 0x83, 0xc0, 0x00, 0x48, 0xff, 0xc1, 0x48, 0x39, 0xf1];
  const code = [...body, 0x75, (256 - (body.length + 2)) & 0xff, 0xf4];
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, 200);
    const r = m.cpu.getRegs();
    m.cpu.setRegs({ ...r, r8: BigInt(DATA) });
    assert.equal(m.cpu.run(100 * 5).kind, 'budget');
    if (blocks) assert.ok(m.cpu.blocksCompiled >= 1, 'the loop was not compiled');
    m.cpu.setRegs({ ...m.cpu.getRegs(), r8: BigInt(CODE + 6) });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    return { rax: m.cpu.getRegs().rax, instructions: m.cpu.instructions };
  });
  let expected = 0n;
  for (let i = 100; i < 200; i++) expected += BigInt((i << 24) >> 24); // each add uses the counter just stored into it
  assert.equal(runs[0].rax, BigInt.asUintN(64, expected));
  assert.deepEqual(runs[0], runs[1]);
});

test('code changed by the debugger between runs (memoryWritten) is executed, not the compiled copy', () => {
  const runs = [true, false].map((blocks) => {
    const m = machine(LOOP, blocks, 100000);
    assert.equal(m.cpu.run(2000 * 11).kind, 'budget');
    // Replace "add rax,rbx" in the middle of the block by "sub rax,rbx" (48 29 d8).
    m.ram[CODE + 4] = 0x29;
    m.cpu.memoryWritten(CODE + 4, 1);
    assert.equal(m.cpu.run(2000 * 11).kind, 'budget');
    // The same change without memoryWritten, visible at the next run() slice (new code epoch).
    m.ram[CODE + 4] = 0x01;
    assert.equal(m.cpu.run(2000 * 11).kind, 'budget');
    return snapshot(m) + m.dv.getBigUint64(DATA, true).toString(16);
  });
  assert.equal(runs[0], runs[1]);
});

test('single-step intercept on a hot loop exits after every instruction', () => {
  const m = machine(LOOP, true, 100000);
  assert.equal(m.cpu.run(1000 * 11).kind, 'budget');
  m.cpu.intercepts.singlestep = true;
  const rips: bigint[] = [];
  for (let k = 0; k < 12; k++) {
    assert.equal(m.cpu.run(1_000_000).kind, 'singlestep');
    m.cpu.resume('continue');
    rips.push(m.cpu.getRegs().rip - BigInt(CODE));
  }
  assert.deepEqual(rips, [3n, 6n, 9n, 12n, 15n, 16n, 20n, 21n, 24n, 27n, 0n, 3n]);
  assert.equal(m.cpu.instructions, 1000 * 11 + 12);
});

test('inline 64-bit and 32-bit loads and stores replace whole registers and memory quadwords', () => {
  // loop: mov rdx,[rdi]; mov eax,[rdi+8]; add rbx,rdx; add rcx,rax; mov [rdi+16],rbx; mov [rdi+24],ecx;
  //       mov rdx,-1; mov rax,-1; dec rsi; jnz loop; hlt
  const body = [0x48, 0x8b, 0x17, 0x8b, 0x47, 0x08, 0x48, 0x01, 0xd3, 0x48, 0x01, 0xc1, 0x48, 0x89, 0x5f, 0x10,
    0x89, 0x4f, 0x18, 0x48, 0xc7, 0xc2, 0xff, 0xff, 0xff, 0xff, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x48, 0xff, 0xce];
  const code = [...body, 0x75, (256 - (body.length + 2)) & 0xff, 0xf4];
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, 100);
    m.dv.setBigUint64(DATA, 0x1122334455667788n, true);
    m.dv.setBigUint64(DATA + 8, 0x99aabbccddeeff00n, true);
    m.cpu.setRegs({ ...m.cpu.getRegs(), rbx: 0n, rcx: 0n });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    const r = m.cpu.getRegs();
    return { rbx: r.rbx, rcx: r.rcx, q2: m.dv.getBigUint64(DATA + 16, true), q3: m.dv.getBigUint64(DATA + 24, true), compiled: blocks ? m.cpu.blocksCompiled > 0 : true };
  });
  assert.equal(runs[0].rbx, BigInt.asUintN(64, 100n * 0x1122334455667788n));
  assert.equal(runs[0].rcx, 100n * 0xddeeff00n);
  assert.equal(runs[0].q2, runs[0].rbx);
  assert.equal(runs[0].q3, BigInt.asUintN(32, runs[0].rcx)); // the dword store leaves the upper half zero
  assert.deepEqual(runs[0], runs[1]);
});

test('inline MOV with RIP-relative and scaled-index addresses reads and writes the right locations', () => {
  const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  // loop: mov rax,[rip->DATA]; add rax,rsi; mov [rip->DATA+8],rax; mov edx,[rdi+rsi*8]; add rbx,rdx; dec rsi; jnz loop; hlt
  const code = [0x48, 0x8b, 0x05, ...le32(DATA - (CODE + 7)), 0x48, 0x01, 0xf0, 0x48, 0x89, 0x05, ...le32(DATA + 8 - (CODE + 17)),
    0x8b, 0x14, 0xf7, 0x48, 0x01, 0xd3, 0x48, 0xff, 0xce, 0x75, 256 - 28, 0xf4];
  const table = DATA + 0x1000;
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, 100);
    m.dv.setBigUint64(DATA, 1000n, true);
    for (let i = 1; i <= 100; i++) m.dv.setUint32(table + i * 8, i * 3, true);
    m.cpu.setRegs({ ...m.cpu.getRegs(), rbx: 0n, rdi: BigInt(table) });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    return { rbx: m.cpu.getRegs().rbx, stored: m.dv.getBigUint64(DATA + 8, true), instructions: m.cpu.instructions };
  });
  assert.deepEqual(runs[0], { rbx: 15150n, stored: 1001n, instructions: 100 * 7 + 1 });
  assert.deepEqual(runs[0], runs[1]);
});

test('inline ALU operations with memory operands match the interpreter (values, flags, memory)', () => {
  // loop: add rax,[rdi]; sub [rdi+8],rbx; adc ecx,[rdi+4]; xor [rdi+16],eax; and rdx,[rdi+8];
  //       or qword [rdi+24],0x55; sbb rbx,[rdi+16]; cmp qword [rdi+8],5; setb bl; dec rsi; jnz loop; hlt
  const body = [0x48, 0x03, 0x07, 0x48, 0x29, 0x5f, 0x08, 0x13, 0x4f, 0x04, 0x31, 0x47, 0x10, 0x48, 0x23, 0x57, 0x08,
    0x48, 0x83, 0x4f, 0x18, 0x55, 0x48, 0x1b, 0x5f, 0x10, 0x48, 0x83, 0x7f, 0x08, 0x05, 0x0f, 0x92, 0xc3, 0x48, 0xff, 0xce];
  const code = [...body, 0x75, (256 - (body.length + 2)) & 0xff, 0xf4];
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, 200);
    m.dv.setBigUint64(DATA, 0xfedcba9876543210n, true);
    m.dv.setBigUint64(DATA + 8, 0x8000000000000001n, true);
    m.dv.setBigUint64(DATA + 16, 0x0123456789abcdefn, true);
    m.cpu.setRegs({ ...m.cpu.getRegs(), rbx: 0x7fffffffffffffffn, rdx: 0xffffffffffffffffn });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    const r = m.cpu.getRegs();
    const mem = [0, 8, 16, 24].map((o) => m.dv.getBigUint64(DATA + o, true));
    return { rax: r.rax, rbx: r.rbx, rcx: r.rcx, rdx: r.rdx, flags: r.rflags, mem, instructions: m.cpu.instructions, compiled: blocks ? m.cpu.blocksCompiled : 1 };
  });
  assert.ok(runs[0].compiled > 0);
  assert.deepEqual({ ...runs[0], compiled: 0 }, { ...runs[1], compiled: 0 });
});
