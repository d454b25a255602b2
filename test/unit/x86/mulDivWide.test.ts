// 32/64-bit MUL, IMUL and DIV/IDIV results and CF/OF against bigint reference arithmetic, on operands
// around the limits of the double-precision fast paths (2^52, sign boundaries, rDX = sign of rAX).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, longMode, newMachine, runToHlt } from './testMachine';

const CF = 1, OF = 0x800;
const M64 = (1n << 64n) - 1n;

function run(code: number[], rax: bigint, rdx: bigint, rbx: bigint): { rax: bigint; rdx: bigint; rflags: bigint } {
  const m = newMachine();
  longMode(m);
  load(m, [...code, 0xf4]);
  const r = m.cpu.getRegs();
  Object.assign(r, { rax, rdx, rbx });
  m.cpu.setRegs(r);
  assert.equal(runToHlt(m).kind, 'hlt');
  return m.cpu.getRegs();
}

const VALUES = [0n, 1n, 3n, 7n, 10n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 52n) - 1n, 1n << 52n,
  (1n << 53n) + 1n, 0x7fffffffffffffffn, 0x8000000000000000n, M64, M64 - 6n, 0xfffffffffff00000n, 0x123456789abcdefn];

function signed(v: bigint, bits: number): bigint { return BigInt.asIntN(bits, v); }

test('DIV and IDIV r32/r64 quotient and remainder match bigint division', () => {
  for (const width of [32, 64]) {
    const mask = (1n << BigInt(width)) - 1n;
    const rex = width === 64 ? [0x48] : [];
    for (const rax of VALUES) for (const rbx of VALUES) for (const highKind of ['zero', 'sign', 'small']) {
      const a = rax & mask, b = rbx & mask;
      if (b === 0n) continue;
      const sa = signed(a, width);
      const d = highKind === 'zero' ? 0n : highKind === 'sign' ? (sa < 0n ? mask : 0n) : 5n;
      // Unsigned: (d:a) / b.
      const un = (d << BigInt(width)) | a;
      if (un / b <= mask) {
        const out = run([...rex, 0xf7, 0xf3], a, d, b); // div rbx / ebx
        assert.equal(out.rax & mask, un / b, `div ${un} / ${b} (${width})`);
        assert.equal(out.rdx & mask, un % b, `div ${un} % ${b} (${width})`);
      }
      // Signed: (d:a) / b as two's complement.
      const sn = signed(un, width * 2), sb = signed(b, width);
      const q = sn / sb, limit = 1n << BigInt(width - 1);
      if (q < limit && q >= -limit) {
        const out = run([...rex, 0xf7, 0xfb], a, d, b); // idiv rbx / ebx
        assert.equal(signed(out.rax & mask, width), q, `idiv ${sn} / ${sb} (${width})`);
        assert.equal(signed(out.rdx & mask, width), sn % sb, `idiv ${sn} % ${sb} (${width})`);
      }
    }
  }
});

test('MUL, one-operand IMUL and IMUL r64, r/m64 give the full product and CF/OF', () => {
  for (const width of [32, 64]) {
    const mask = (1n << BigInt(width)) - 1n, w = BigInt(width);
    const rex = width === 64 ? [0x48] : [];
    for (const rax of VALUES) for (const rbx of VALUES) {
      const a = rax & mask, b = rbx & mask;
      const up = a * b;
      let out = run([...rex, 0xf7, 0xe3], a, 0n, b); // mul rbx / ebx
      assert.equal(out.rax & mask, up & mask, `mul ${a} * ${b}`);
      assert.equal(out.rdx & mask, up >> w, `mul ${a} * ${b} high`);
      assert.equal((out.rflags & BigInt(CF | OF)) !== 0n, (up >> w) !== 0n, `mul ${a} * ${b} CF/OF`);
      const sp = signed(a, width) * signed(b, width);
      const overflow = signed(sp & mask, width) !== sp;
      out = run([...rex, 0xf7, 0xeb], a, 0n, b); // imul rbx / ebx
      assert.equal(out.rax & mask, sp & mask, `imul ${a} * ${b}`);
      assert.equal(out.rdx & mask, (sp >> w) & mask, `imul ${a} * ${b} high`);
      assert.equal((out.rflags & BigInt(CF | OF)) !== 0n, overflow, `imul ${a} * ${b} CF/OF`);
      out = run([...rex, 0x0f, 0xaf, 0xc3], a, 0n, b); // imul rax, rbx / eax, ebx
      assert.equal(out.rax & mask, sp & mask, `imul2 ${a} * ${b}`);
      assert.equal((out.rflags & BigInt(CF | OF)) !== 0n, overflow, `imul2 ${a} * ${b} CF/OF`);
    }
  }
});
