// Compiled regions (blockCompiler.ts) against the interpreter alone: loops whose branches stay inside
// one region (insertion sort), every Jcc condition after every inline flag producer (fused compares
// and deferred flags made exact for PUSHF), regions chained through indirect jumps, and KVMI events
// and code changes in the middle of those loops. Registers, RFLAGS, memory, retired-instruction
// counts and exits must be identical, also with small run budgets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKS_ENABLED } from '../../../src/vmm/x86/blockCompiler';
import type { CpuExit } from '../../../src/vmm/x86/cpu';
import { VEC_GP } from '../../../src/vmm/x86/registers';
import { rng } from './encodingGenerator';
import { CODE, DATA, HANDLERS, load, longMode, newMachine, type TestMachine } from './testMachine';

const R = 1, X = 4;

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/**
 * Insertion sort of the 64 dwords at DATA (as a C compiler emits it): an inner loop whose back-edge
 * is a taken JB and whose exit is a JE to code after the HLT, an outer loop closed by JNE.
 */
const SORT = [
  0x31, 0xf6, //                               0: xor esi,esi
  0x8b, 0x0c, 0xb5, ...le32(DATA + 4), //      2: mov ecx,[DATA+4+rsi*4]
  0x48, 0x89, 0xf0, //                         9: mov rax,rsi
  0xeb, 0x10, //                              12: jmp 30
  0x89, 0x14, 0x85, ...le32(DATA + 4), //     14: mov [DATA+4+rax*4],edx
  0x48, 0x83, 0xe8, 0x01, //                  21: sub rax,1
  0x83, 0xf8, 0xff, //                        25: cmp eax,-1
  0x74, 0x22, //                              28: je 64
  0x8b, 0x14, 0x85, ...le32(DATA), //         30: mov edx,[DATA+rax*4]
  0x39, 0xd1, //                              37: cmp ecx,edx
  0x72, 0xe5, //                              39: jb 14
  0x83, 0xc0, 0x01, //                        41: add eax,1
  0x48, 0x98, //                              44: cdqe
  0x48, 0x83, 0xc6, 0x01, //                  46: add rsi,1
  0x89, 0x0c, 0x85, ...le32(DATA), //         50: mov [DATA+rax*4],ecx
  0x48, 0x83, 0xfe, 0x3f, //                  57: cmp rsi,63
  0x75, 0xc3, //                              61: jne 2
  0xf4, //                                    63: hlt
  0x31, 0xc0, //                              64: xor eax,eax
  0xeb, 0xe8, //                              66: jmp 44
];
const SORT_STORE = 14;

function machine(code: number[], blocks: boolean, setup?: (m: TestMachine) => void): TestMachine {
  const m = newMachine();
  longMode(m);
  load(m, code);
  m.cpu.blocksEnabled = blocks;
  setup?.(m);
  m.cpu.setRegs({ ...m.cpu.getRegs(), rip: BigInt(CODE) });
  return m;
}

function snapshot(m: TestMachine): string {
  const r = m.cpu.getRegs();
  return JSON.stringify({ ...r, instructions: m.cpu.instructions }, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v);
}

/** Calls run(budget) until an exit other than 'budget', recording every exit and state. */
function trace(m: TestMachine, budget: number): { exits: CpuExit[]; states: string[] } {
  const exits: CpuExit[] = [], states: string[] = [];
  for (let k = 0; k < 200000; k++) {
    const exit = m.cpu.run(budget);
    exits.push(exit);
    states.push(snapshot(m));
    if (exit.kind !== 'budget') break;
  }
  return { exits, states };
}

function fillSortData(m: TestMachine, seed: number): void {
  const rand = rng(seed);
  for (let i = 0; i < 64; i++) m.dv.setUint32(DATA + 4 * i, Math.floor(rand() * 4294967296), true);
}

function sortedWords(m: TestMachine): number[] {
  return Array.from({ length: 64 }, (_, i) => m.dv.getUint32(DATA + 4 * i, true));
}

test('an insertion sort runs as one region with its loops inside and matches the interpreter at every budget', (t) => {
  if (!BLOCKS_ENABLED) { t.skip('compiled regions are switched off in blockCompiler.ts'); return; }
  for (const budget of [1_000_000, 7, 100, 13, 257]) {
    const a = machine(SORT, true, (m) => fillSortData(m, 5)), b = machine(SORT, false, (m) => fillSortData(m, 5));
    const ta = trace(a, budget), tb = trace(b, budget);
    assert.deepEqual(ta.exits, tb.exits, `exits with budget ${budget}`);
    assert.deepEqual(ta.states, tb.states, `states after each run(${budget})`);
    assert.deepEqual(sortedWords(a), sortedWords(b));
    if (budget === 1_000_000) {
      const words = sortedWords(a);
      assert.deepEqual(words, [...words].sort((x, y) => x - y), 'the sort result is ordered');
      assert.ok(a.cpu.blocksCompiled >= 1 && a.cpu.blocksCompiled <= 4, `${a.cpu.blocksCompiled} regions for one loop nest`);
      assert.ok(a.cpu.instructions > 2000);
    }
  }
});

test('a write-restricted page hit inside a region loop exits at the store with exact RFLAGS, registers and count', () => {
  const results = [true, false].map((blocks) => {
    const m = machine(SORT, blocks, (mm) => fillSortData(mm, 11));
    assert.equal(m.cpu.run(3001).kind, 'budget');
    m.cpu.intercepts.pf = true;
    m.cpu.access[DATA >>> 12] = R | X;
    m.cpu.accessChanged();
    const events: CpuExit[] = [], states: string[] = [];
    for (let k = 0; k < 6; k++) {
      events.push(m.cpu.run(1_000_000));
      states.push(snapshot(m));
      m.cpu.resume('continue');
    }
    return { events, states };
  });
  assert.equal(results[0].events[0].kind, 'pf');
  assert.ok(results[0].states.every((s) => [SORT_STORE, 50].includes(Number(BigInt('0x' + (JSON.parse(s) as { rip: string }).rip) - BigInt(CODE)))),
    'every event is raised at one of the two stores');
  assert.deepEqual(results[0], results[1]);
});

/** Operand pairs at the edges of every condition (signed/unsigned limits, equal values, zero). */
const EDGE = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn,
  0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x80000000ffffffffn, 0x123456789n, 0xfffffffe00000001n];

/** Flag producers on RAX and RBX (CMP/TEST/ADD/SUB/INC/DEC/AND/XOR/OR/shifts/IMUL/MUL, 32 and 64 bits; INC/DEC after a carry). */
const PRODUCERS: number[][] = [
  [0x39, 0xd8], [0x48, 0x39, 0xd8], [0x85, 0xd8], [0x48, 0x85, 0xd8], [0x01, 0xd8], [0x48, 0x01, 0xd8],
  [0x29, 0xd8], [0x48, 0x29, 0xd8], [0xff, 0xc0], [0xff, 0xc8], [0x48, 0xff, 0xc0], [0x48, 0xff, 0xc8],
  [0x48, 0x21, 0xd8], [0x31, 0xd8], [0x83, 0xf8, 0xff], [0x48, 0x09, 0xd8], [0x39, 0xd8, 0xff, 0xc0],
  [0x48, 0x29, 0xd8, 0x48, 0xff, 0xc8],
  // SHL/SHR/SAR by constants, IMUL (two- and three-operand), INC after a shift's carry.
  [0xc1, 0xe0, 0x05], [0x48, 0xc1, 0xe8, 0x21], [0x48, 0xd1, 0xf8], [0xc1, 0xf8, 0x1f], [0x48, 0xc1, 0xe0, 0x20],
  [0xd1, 0xe8], [0x0f, 0xaf, 0xc3], [0x48, 0x0f, 0xaf, 0xc3], [0x48, 0x6b, 0xc3, 0xfd], [0xd1, 0xe8, 0xff, 0xc0],
  // Shifts by CL (the table index: counts 0..63 included), MUL.
  [0xd3, 0xe0], [0x48, 0xd3, 0xf8], [0x48, 0xd3, 0xe8], [0x48, 0xd3, 0xe0], [0x48, 0xf7, 0xe3], [0xf7, 0xe3],
];

/**
 * For each producer: for each condition, reload RAX/RBX from the operand tables, produce, Jcc over an
 * ADD R14,K; then for each condition SETcc DL and CMOVcc RAX,RBX summed into R14/R13; then once more
 * with PUSHFQ; POP R12; ADD R13,R12 (the exact flags). DEC RCX; JNS top.
 */
function conditionCode(): number[] {
  const code: number[] = [];
  const reload = [0x48, 0x8b, 0x04, 0xcf, 0x48, 0x8b, 0x1c, 0xce]; // mov rax,[rdi+rcx*8]; mov rbx,[rsi+rcx*8]
  let k = 1;
  for (const p of PRODUCERS) {
    for (let cc = 0; cc < 16; cc++) code.push(...reload, ...p, 0x70 + cc, 0x07, 0x49, 0x81, 0xc6, ...le32(k++ * 2654435761));
    // setcc dl; cmovcc rax,rbx; add r14,rdx; add r13,rax
    for (let cc = 0; cc < 16; cc++) code.push(...reload, ...p, 0x0f, 0x90 + cc, 0xc2, 0x48, 0x0f, 0x40 + cc, 0xc3, 0x49, 0x01, 0xd6, 0x49, 0x01, 0xc5);
    code.push(...reload, ...p, 0x9c, 0x41, 0x5c, 0x4d, 0x01, 0xe5);
  }
  code.push(0x48, 0xff, 0xc9); // dec rcx
  const rel = -(code.length + 6);
  code.push(0x0f, 0x89, ...le32(rel >>> 0), 0xf4); // jns top; hlt
  return code;
}

test('every Jcc, SETcc and CMOVcc after every inline flag producer, and the flags PUSHF sees, match the interpreter', () => {
  const code = conditionCode();
  const a = DATA, b = DATA + 0x1000;
  const setup = (m: TestMachine): void => {
    const n = EDGE.length * EDGE.length;
    for (let i = 0; i < n; i++) {
      m.dv.setBigUint64(a + 8 * i, EDGE[i % EDGE.length], true);
      m.dv.setBigUint64(b + 8 * i, EDGE[Math.floor(i / EDGE.length)], true);
    }
    m.cpu.setRegs({ ...m.cpu.getRegs(), rdi: BigInt(a), rsi: BigInt(b), rcx: BigInt(n - 1), rsp: 0x7ff00n, r13: 0n, r14: 0n });
  };
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, setup);
    // Run the loop twice over the table: the second pass executes compiled code throughout.
    assert.equal(m.cpu.run(50_000_000).kind, 'hlt');
    m.cpu.setRegs({ ...m.cpu.getRegs(), rcx: BigInt(EDGE.length * EDGE.length - 1), rip: BigInt(CODE) });
    assert.equal(m.cpu.run(50_000_000).kind, 'hlt');
    return { state: snapshot(m), compiled: m.cpu.blocksCompiled };
  });
  assert.ok(runs[0].compiled > 0, 'no region was compiled');
  assert.equal(runs[0].state, runs[1].state);
});

/**
 * Page A: add rax,rcx; dec rcx; jz done; jmp rbx -> page B: xor rdx,rax; add rdx,3; jmp r8 (-> A).
 * The two regions end in indirect jumps, so each enters the other through its cached successor link.
 */
function chainMachine(blocks: boolean): TestMachine {
  const m = machine([0x48, 0x01, 0xc8, 0x48, 0xff, 0xc9, 0x74, 0x02, 0xff, 0xe3, 0xf4], blocks, (mm) => {
    load(mm, [0x48, 0x31, 0xc2, 0x48, 0x83, 0xc2, 0x03, 0x41, 0xff, 0xe0], CODE + 0x1000);
    mm.cpu.setRegs({ ...mm.cpu.getRegs(), rcx: 5000n, rbx: BigInt(CODE + 0x1000), r8: BigInt(CODE), rax: 0n, rdx: 0n });
  });
  return m;
}

test('regions chained through indirect jumps match the interpreter, also after the second region is rewritten (told or not)', () => {
  for (const budget of [1_000_000, 9, 1000]) {
    const runs = [true, false].map((blocks) => {
      const m = chainMachine(blocks);
      const first = trace(m, budget);
      const steps = first.exits.length;
      m.cpu.halted = false;
      m.cpu.setRegs({ ...m.cpu.getRegs(), rcx: 3000n, rip: BigInt(CODE) });
      // add rdx,3 -> add rdx,5 in page B, told to the CPU as a debugger write.
      m.ram[CODE + 0x1000 + 6] = 5;
      m.cpu.memoryWritten(CODE + 0x1000 + 6, 1);
      const second = trace(m, budget);
      // add rdx,5 -> add rdx,7 written behind the CPU's back (as another vCPU would): seen from the next run() slice.
      m.cpu.halted = false;
      m.cpu.setRegs({ ...m.cpu.getRegs(), rcx: 3000n, rip: BigInt(CODE) });
      assert.equal(m.cpu.run(500).kind, 'budget');
      m.ram[CODE + 0x1000 + 6] = 7;
      const third = trace(m, budget);
      return { first, second, third, steps, rdx: m.cpu.getRegs().rdx, compiled: blocks ? m.cpu.blocksCompiled > 0 : true };
    });
    assert.deepEqual(runs[0], runs[1], `budget ${budget}`);
    const retired = (t: { states: string[] }): number => (JSON.parse(t.states[t.states.length - 1]) as { instructions: number }).instructions;
    assert.ok(retired(runs[0].second) > retired(runs[0].first) + 3000 && retired(runs[0].third) > retired(runs[0].second) + 3000, 'every phase ran the loop');
  }
});

/**
 * loop: mov rdi,rcx; call f; call g (next page); add rax,rdx; dec rcx; jnz loop; hlt.
 * f: push rbx; lea rdx,[rdi*2+1]; mov rbx,rdx; add rdx,rbx; cmp rcx,1; jne +5; mov [rsp+8],rsi; pop rbx; ret
 * g: inc r9; ret. In the last iteration f returns to RSI instead of its caller.
 */
const CALLS = [0x48, 0x89, 0xcf, 0xe8, ...le32(16), 0xe8, ...le32(0x1000 - 13), 0x48, 0x01, 0xd0, 0x48, 0xff, 0xc9, 0x75, 0xeb, 0xf4,
  0x90, 0x90, 0x53, 0x48, 0x8d, 0x14, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x48, 0x89, 0xd3, 0x48, 0x01, 0xda, 0x48, 0x83, 0xf9, 0x01,
  0x75, 0x05, 0x48, 0x89, 0x74, 0x24, 0x08, 0x5b, 0xc3];

test('near CALL and RET inside a region (same-page callee, next-page callee, odd return targets) match the interpreter', () => {
  // Return targets of the last iteration: the HLT (in the page, not a label), and a non-canonical address (#GP).
  for (const lastReturn of [BigInt(CODE + 21), 0x0000800000000000n]) {
    for (const budget of [1_000_000, 7, 50]) {
      const runs = [true, false].map((blocks) => {
        const m = machine(CALLS, blocks, (mm) => {
          load(mm, [0x49, 0xff, 0xc1, 0xc3], CODE + 0x1000);
          mm.cpu.setRegs({ ...mm.cpu.getRegs(), rcx: 3000n, rsi: lastReturn, rsp: 0x7ff00n, rax: 0n, r9: 0n });
        });
        const t = trace(m, budget);
        return { ...t, compiled: blocks ? m.cpu.blocksCompiled > 0 : true };
      });
      assert.deepEqual(runs[0], runs[1], `return to ${lastReturn.toString(16)}, budget ${budget}`);
      const last = JSON.parse(runs[0].states[runs[0].states.length - 1]) as { r9: string };
      assert.equal(BigInt('0x' + last.r9), 2999n, 'g ran in every iteration but the last (f returned elsewhere)');
    }
  }
});

test('LEA sums 64-bit values beyond 2^53 exactly, compiled and interpreted', () => {
  // loop: lea rax,[rbx+rcx*8-0x80]; add rdx,rax; dec rcx; jnz loop; hlt
  const code = [0x48, 0x8d, 0x44, 0xcb, 0x80, 0x48, 0x01, 0xc2, 0x48, 0xff, 0xc9, 0x75, 0xf3, 0xf4];
  const rbx = 0x7ffffffffffff3a1n, rcx = 200n;
  let expected = 0n;
  for (let i = rcx; i > 0n; i--) expected = BigInt.asUintN(64, expected + BigInt.asUintN(64, rbx + i * 8n - 0x80n));
  for (const blocks of [true, false]) {
    const m = machine(code, blocks, (mm) => mm.cpu.setRegs({ ...mm.cpu.getRegs(), rbx, rcx, rdx: 0n }));
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    assert.equal(m.cpu.getRegs().rdx, expected, blocks ? 'compiled' : 'interpreter');
  }
});

test('a stack frame (PUSH RBP, locals, LEAVE, RET) called in a loop matches the interpreter', () => {
  // loop: mov rdi,rcx; call f; add rbx,rax; dec rcx; jnz loop; hlt
  // f: push rbp; mov rbp,rsp; sub rsp,16; mov [rbp-8],rdi; mov rax,[rbp-8]; add rax,rax; leave; ret
  const code = [0x48, 0x89, 0xcf, 0xe8, ...le32(9), 0x48, 0x01, 0xc3, 0x48, 0xff, 0xc9, 0x75, 0xf0, 0xf4,
    0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0x48, 0x89, 0x7d, 0xf8, 0x48, 0x8b, 0x45, 0xf8, 0x48, 0x01, 0xc0, 0xc9, 0xc3];
  for (const budget of [1_000_000, 11]) {
    const runs = [true, false].map((blocks) => {
      const m = machine(code, blocks, (mm) => mm.cpu.setRegs({ ...mm.cpu.getRegs(), rcx: 2000n, rbx: 0n, rsp: 0x7ff00n, rbp: 0x1234n }));
      return trace(m, budget);
    });
    assert.deepEqual(runs[0], runs[1], `budget ${budget}`);
    const last = JSON.parse(runs[0].states[runs[0].states.length - 1]) as { rbx: string; rbp: string; rsp: string };
    assert.deepEqual([BigInt('0x' + last.rbx), BigInt('0x' + last.rbp), BigInt('0x' + last.rsp)], [2000n * 2001n, 0x1234n, 0x7ff00n]);
  }
});

test('a scaled-index address whose 64-bit sum wraps around to a canonical address is accessed, compiled and interpreted', () => {
  // loop: mov rdx,[rbx+rcx*8]; add rax,rdx; dec rsi; jnz loop; hlt with rbx + rcx*8 = 2^64 + DATA
  const code = [0x48, 0x8b, 0x14, 0xcb, 0x48, 0x01, 0xd0, 0x48, 0xff, 0xce, 0x75, 0xf4, 0xf4];
  for (const blocks of [true, false]) {
    const m = machine(code, blocks, (mm) => {
      mm.dv.setBigUint64(DATA, 0x1111n, true);
      mm.cpu.setRegs({ ...mm.cpu.getRegs(), rbx: 0x8000000000000000n + BigInt(DATA), rcx: 0x3000000000000000n, rsi: 100n, rax: 0n });
    });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    assert.equal(m.cpu.getRegs().rax, 100n * 0x1111n, blocks ? 'compiled' : 'interpreter');
    if (blocks) assert.ok(m.cpu.blocksCompiled > 0);
  }
});

test('a read-restricted page hit by an inline load inside a region loop raises the read event first, with the exact state', () => {
  const W = 2;
  const results = [true, false].map((blocks) => {
    const m = machine(SORT, blocks, (mm) => fillSortData(mm, 23));
    assert.equal(m.cpu.run(2999).kind, 'budget');
    m.cpu.intercepts.pf = true;
    m.cpu.access[DATA >>> 12] = W | X;
    m.cpu.accessChanged();
    const events: CpuExit[] = [], states: string[] = [];
    for (let k = 0; k < 5; k++) {
      events.push(m.cpu.run(1_000_000));
      states.push(snapshot(m));
      m.cpu.resume('continue');
    }
    return { events, states };
  });
  const first = results[0].events[0];
  assert.ok(first.kind === 'pf' && first.access === R && first.gpa >> 12n === BigInt(DATA >>> 12), JSON.stringify(first, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v));
  assert.deepEqual(results[0], results[1]);
});

// Inline instructions keep registers in locals of the region function: a handler between them
// (NOT, BSWAP) must see and keep their values, and a fault after the loop (DIV by RCX = 0, #DE)
// must see every register exactly as the interpreter leaves it.
const LOCALS = [
  0x48, 0x01, 0xc8, //       0: add rax, rcx
  0x48, 0xff, 0xc2, //       3: inc rdx
  0x48, 0xf7, 0xd3, //       6: not rbx        (handler)
  0x48, 0x01, 0xd3, //       9: add rbx, rdx
  0x48, 0x0f, 0xc8, //      12: bswap rax      (handler)
  0x48, 0x0f, 0xc8, //      15: bswap rax      (handler)
  0x48, 0xff, 0xc9, //      18: dec rcx
  0x75, 0xe9, //            21: jnz 0
  0x48, 0xf7, 0xf1, //      23: div rcx        (#DE)
  0xf4, //                  26: hlt
];

test('registers changed inline are seen by handlers in between and by a fault after the loop, at every budget', (t) => {
  if (!BLOCKS_ENABLED) { t.skip('compiled regions are switched off in blockCompiler.ts'); return; }
  const start = (m: TestMachine): void => { m.cpu.setRegs({ ...m.cpu.getRegs(), rcx: 100n, rdx: 0n, rax: 0x0123456789abcdefn, rbx: 7n }); };
  for (const budget of [1_000_000, 5, 64, 97]) {
    const a = machine(LOCALS, true, start), b = machine(LOCALS, false, start);
    const ta = trace(a, budget), tb = trace(b, budget);
    assert.deepEqual(ta.exits, tb.exits, `exits with budget ${budget}`);
    assert.deepEqual(ta.states, tb.states, `states after each run(${budget})`);
    assert.notEqual(ta.exits[ta.exits.length - 1].kind, 'budget');
    assert.ok(a.cpu.blocksCompiled > 0, 'the loop ran as a region');
  }
  const m = machine(LOCALS, true, start);
  trace(m, 1_000_000);
  const r = m.cpu.getRegs();
  assert.equal(r.rdx, 100n, 'RDX counted every iteration');
  assert.equal(r.rcx, 0n);
  assert.equal(r.rax, 0x0123456789abcdefn + 5050n, 'RAX summed 100..1 through the BSWAP pairs');
});

test('a return site inside a region is entered through that region (not compiled again) and matches the interpreter at every budget', () => {
  // In CALLS the call of g leaves the region (g is on the next page); g's RET arrives at the return
  // site, a label of the loop's region, which runs from there.
  for (const budget of [1_000_000, 9, 64]) {
    const runs = [true, false].map((blocks) => {
      const m = machine(CALLS, blocks, (mm) => {
        load(mm, [0x49, 0xff, 0xc1, 0xc3], CODE + 0x1000);
        mm.cpu.setRegs({ ...mm.cpu.getRegs(), rcx: 3000n, rsi: BigInt(CODE + 21), rsp: 0x7ff00n, rax: 0n, r9: 0n });
      });
      return { ...trace(m, budget), compiled: m.cpu.blocksCompiled };
    });
    assert.deepEqual(runs[0].exits, runs[1].exits, `exits with budget ${budget}`);
    assert.deepEqual(runs[0].states, runs[1].states, `states after each run(${budget})`);
    if (budget === 1_000_000) {
      assert.ok(runs[0].compiled >= 2 && runs[0].compiled <= 3, `${runs[0].compiled} regions: the loop with f, g, and no copy starting at the return site`);
    }
  }
});

test('code after a return site rewritten without notice between run() calls is not run from the region or its entry view', () => {
  const results = [true, false].map((blocks) => {
    const m = machine(CALLS, blocks, (mm) => {
      load(mm, [0x49, 0xff, 0xc1, 0xc3], CODE + 0x1000);
      mm.cpu.setRegs({ ...mm.cpu.getRegs(), rcx: 3000n, rsi: BigInt(CODE + 21), rsp: 0x7ff00n, rax: 0n, r9: 0n });
    });
    assert.equal(m.cpu.run(20_000).kind, 'budget');
    m.dv.setUint8(CODE + 14, 0x29); // add rax,rdx -> sub rax,rdx, behind the CPU's back
    const t = trace(m, 1_000_000);
    return { ...t, compiled: m.cpu.blocksCompiled };
  });
  assert.deepEqual(results[0].exits, results[1].exits);
  assert.deepEqual(results[0].states, results[1].states);
  assert.ok(results[0].compiled > 0);
});

test('an address that wraps around 2^64 into the page cached by the previous load reads the right bytes, compiled and interpreted', () => {
  // loop: mov rdx,[rdi]; mov rax,[rbx+rcx*8]; add rdx,rax; add r8,rdx; dec rsi; jnz loop; hlt
  // rdi = DATA (the cached read page); rbx + rcx*8 = 2^64 + DATA + 8, in that same page.
  const code = [0x48, 0x8b, 0x17, 0x48, 0x8b, 0x04, 0xcb, 0x48, 0x01, 0xc2, 0x49, 0x01, 0xd0, 0x48, 0xff, 0xce, 0x75, 0xee, 0xf4];
  for (const blocks of [true, false]) {
    const m = machine(code, blocks, (mm) => {
      mm.dv.setBigUint64(DATA, 0x1111n, true);
      mm.dv.setBigUint64(DATA + 8, 0x2222n, true);
      mm.cpu.setRegs({ ...mm.cpu.getRegs(), rdi: BigInt(DATA), rbx: 0x8000000000000008n + BigInt(DATA), rcx: 0x3000000000000000n, rsi: 200n, r8: 0n });
    });
    assert.equal(m.cpu.run(1_000_000).kind, 'hlt');
    assert.equal(m.cpu.getRegs().r8, 200n * 0x3333n, blocks ? 'compiled' : 'interpreter');
    if (blocks) assert.ok(m.cpu.blocksCompiled > 0);
  }
});

test('a non-canonical address after loads from a cached page faults at that load with the state the interpreter has', () => {
  // loop: mov rdx,[rdi]; mov rax,[rdi+rcx]; dec rsi; jnz loop; mov rcx,rbx; mov esi,1; jmp loop
  // rcx = 0 for 100 iterations (the page of DATA is cached), then 2^47: [rdi+rcx] is non-canonical (#GP).
  const code = [0x48, 0x8b, 0x17, 0x48, 0x8b, 0x04, 0x0f, 0x48, 0xff, 0xce, 0x75, 0xf4, 0x48, 0x89, 0xd9, 0xbe, 1, 0, 0, 0, 0xeb, 0xea, 0xf4];
  const runs = [true, false].map((blocks) => {
    const m = machine(code, blocks, (mm) => {
      mm.cpu.setRegs({ ...mm.cpu.getRegs(), rdi: BigInt(DATA), rbx: 0x800000000000n, rcx: 0n, rsi: 100n });
    });
    const t = trace(m, 1_000_000);
    if (blocks) assert.ok(m.cpu.blocksCompiled > 0);
    // The #GP handler (HANDLERS + 16 * 13, a HLT) ran with the faulting load's RIP on the stack.
    const r = m.cpu.getRegs();
    assert.equal(r.rip, BigInt(HANDLERS + 16 * VEC_GP + 1), blocks ? 'compiled' : 'interpreter');
    assert.equal(m.dv.getBigUint64(Number(r.rsp) + 8, true), BigInt(CODE + 3));
    assert.equal(r.rcx, 0x800000000000n);
    return t;
  });
  assert.deepEqual(runs[0], runs[1]);
});

test('a loop entered at its condition and a loop reached by falling through after a store run inside the region, at every budget', () => {
  // xor eax,eax; jmp cond; body: add rax,[rdi]; dec rcx; cond: test rcx,rcx; jnz body;
  // mov [rdi],rax; again: inc rdx; cmp rdx,rsi; jb again; hlt
  const code = [0x31, 0xc0, 0xeb, 0x06, 0x48, 0x03, 0x07, 0x48, 0xff, 0xc9, 0x48, 0x85, 0xc9, 0x75, 0xf5,
    0x48, 0x89, 0x07, 0x48, 0xff, 0xc2, 0x48, 0x39, 0xf2, 0x72, 0xf8, 0xf4];
  for (const budget of [1_000_000, 5, 9, 64]) {
    const runs = [true, false].map((blocks) => {
      const m = machine(code, blocks, (mm) => {
        mm.dv.setBigUint64(DATA, 5n, true);
        mm.cpu.setRegs({ ...mm.cpu.getRegs(), rdi: BigInt(DATA), rcx: 100n, rdx: 0n, rsi: 1000n });
      });
      const t = trace(m, budget);
      assert.equal(t.exits[t.exits.length - 1].kind, 'hlt');
      assert.equal(m.dv.getBigUint64(DATA, true), 500n, blocks ? 'compiled' : 'interpreter');
      assert.equal(m.cpu.getRegs().rdx, 1000n, blocks ? 'compiled' : 'interpreter');
      if (blocks && budget === 1_000_000) assert.ok(m.cpu.blocksCompiled > 0);
      return t;
    });
    assert.deepEqual(runs[0], runs[1], `budget ${budget}`);
  }
});
