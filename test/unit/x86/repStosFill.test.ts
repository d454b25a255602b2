// Forward REP STOS stores the rest of each page with one fill after the page's first element took
// the full path (exec/string.ts stos, fillRestOfPage). The results must be those of element-by-element
// execution: memory, rCX and rDI for every element size and pattern, across pages and over the
// VMM's chunk limit, over the instruction stream itself (the fill drops decoded code), and stopped
// at the first element of a restricted page (a KVMI event) with the earlier elements stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DATA, load, longMode, newMachine, runToHlt, type TestMachine } from './testMachine';

function machine(code: number[], regs: Record<string, bigint>): TestMachine {
  const m = newMachine();
  longMode(m);
  load(m, code);
  m.cpu.setRegs({ ...m.cpu.getRegs(), ...regs });
  return m;
}

const forms = [
  { name: 'stosb', bytes: [0xf3, 0xaa], size: 1, rax: 0x5an },
  { name: 'stosw', bytes: [0xf3, 0x66, 0xab], size: 2, rax: 0xbeefn },
  { name: 'stosd', bytes: [0xf3, 0xab], size: 4, rax: 0x12345678n },
  { name: 'stosq', bytes: [0xf3, 0x48, 0xab], size: 8, rax: 0x1122334455667788n },
  { name: 'stosq of zero', bytes: [0xf3, 0x48, 0xab], size: 8, rax: 0n },
];

for (const f of forms) {
  test(`rep ${f.name} over 3 pages from an unaligned address equals element-by-element stores`, () => {
    const start = DATA + 0x123;
    const count = Math.floor((3 * 4096 + 77) / f.size);
    const m = machine([...f.bytes, 0xf4], { rdi: BigInt(start), rcx: BigInt(count), rax: f.rax | 0xffff_0000_0000_0000n * (f.size === 8 ? 0n : 1n) });
    m.ram.fill(0xcc, DATA, DATA + 5 * 4096);
    assert.equal(runToHlt(m).kind, 'hlt');
    const r = m.cpu.getRegs();
    assert.equal(r.rcx, 0n);
    assert.equal(r.rdi, BigInt(start + count * f.size));
    for (let i = 0; i < count; i++) {
      const at = start + i * f.size;
      const got = f.size === 1 ? BigInt(m.ram[at]) : f.size === 2 ? BigInt(m.dv.getUint16(at, true))
        : f.size === 4 ? BigInt(m.dv.getUint32(at, true)) : m.dv.getBigUint64(at, true);
      if (got !== f.rax) assert.fail(`element ${i} at 0x${at.toString(16)} is 0x${got.toString(16)}`);
    }
    assert.equal(m.ram[start - 1], 0xcc, 'nothing before the first element');
    assert.equal(m.ram[start + count * f.size], 0xcc, 'nothing after the last element');
  });
}

test('rep stosb larger than one execution chunk (4096) completes with every byte stored', () => {
  const start = DATA + 7;
  const m = machine([0xf3, 0xaa, 0xf4], { rdi: BigInt(start), rcx: 40_000n, rax: 0n });
  m.ram.fill(0xcc, DATA, DATA + 50_000);
  assert.equal(runToHlt(m, 1_000_000).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rcx, 0n);
  assert.ok(m.ram.subarray(start, start + 40_000).every((b) => b === 0));
  assert.equal(m.ram[start + 40_000], 0xcc);
});

test('rep stosb over the code that follows it: the stored NOPs execute, then the HLT after them', () => {
  // rep stosb at CODE writes 16 NOPs over CODE+2.. (bytes that were HLTs); CODE+18 keeps its HLT.
  const m = machine([0xf3, 0xaa, ...new Array(17).fill(0xf4)], { rdi: BigInt(CODE + 2), rcx: 16n, rax: 0x90n });
  const before = m.cpu.instructions;
  assert.equal(runToHlt(m).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 19));
  assert.equal(m.cpu.instructions - before, 1 + 16 + 1);
});

test('rep stosd stops at the first element of a write-restricted frame with the earlier ones stored', () => {
  const start = DATA + 0x1000 - 64;
  const m = machine([0xf3, 0xab, 0xf4], { rdi: BigInt(start), rcx: 1000n, rax: 0xa5a5a5a5n });
  m.cpu.intercepts.pf = true;
  m.cpu.access[(DATA + 0x1000) >>> 12] = 1 | 4;
  m.cpu.accessChanged();
  const exit = m.cpu.run(100);
  assert.deepEqual(exit, { kind: 'pf', gva: BigInt(DATA + 0x1000), gpa: BigInt(DATA + 0x1000), access: 2 });
  const r = m.cpu.getRegs();
  assert.equal(r.rcx, 1000n - 16n);
  assert.equal(r.rdi, BigInt(DATA + 0x1000));
  assert.equal(m.dv.getUint32(DATA + 0x1000 - 4, true), 0xa5a5a5a5);
  assert.equal(m.dv.getUint32(DATA + 0x1000, true), 0);
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(100_000).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rcx, 0n);
  assert.equal(m.dv.getUint32(start + 999 * 4, true), 0xa5a5a5a5);
});
