// The classic boot path on the bare CPU: a boot sector at 0x7c00 in real mode uses 16-bit code
// with 32-bit operand prefixes, LODSB/LOOP/CALL, loads a GDT, enters 32-bit protected mode with a
// far jump, and a bad segment load there raises #GP with the selector as error code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newMachine, realMode } from './testMachine';

test('boot sector: real-mode string output, then LGDT, CR0.PE and a far jump into 32-bit code', () => {
  const m = newMachine();
  realMode(m);
  const code = [
    0xfc,                         // 7c00 cld
    0xbe, 0x40, 0x7c,             // 7c01 mov si, 0x7c40 (message)
    0xb9, 0x03, 0x00,             // 7c04 mov cx, 3
    0xe8, 0x2a, 0x00,             // 7c07 call 0x7c34 (print)
    0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, // 7c0a mov eax, 0x12345678
    0x0f, 0x01, 0x16, 0x50, 0x7c, // 7c10 lgdt [0x7c50]
    0x0f, 0x20, 0xc0,             // 7c15 mov eax, cr0
    0x66, 0x83, 0xc8, 0x01,       // 7c18 or eax, 1
    0x0f, 0x22, 0xc0,             // 7c1c mov cr0, eax
    0x66, 0xea, 0x00, 0x7d, 0x00, 0x00, 0x08, 0x00, // 7c1f jmp dword 0x08:0x7d00
  ];
  m.ram.set(code, 0x7c00);
  // print: lodsb; out 0xe9, al; loop print; ret
  m.ram.set([0xac, 0xe6, 0xe9, 0xe2, 0xfb, 0xc3], 0x7c34);
  m.ram.set([0x4f, 0x4b, 0x21], 0x7c40); // "OK!"
  // GDT pointer at 0x7c50 -> GDT at 0x7c60: null, 0x08 32-bit code, 0x10 data
  m.dv.setUint16(0x7c50, 0x17, true);
  m.dv.setUint32(0x7c52, 0x7c60, true);
  m.dv.setBigUint64(0x7c68, 0x00cf9a000000ffffn, true);
  m.dv.setBigUint64(0x7c70, 0x00cf92000000ffffn, true);
  // 32-bit code at 0x7d00: mov ax, 0x10; mov ds, ax; mov ebx, [0x7c40]; hlt
  m.ram.set([0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8b, 0x1d, 0x40, 0x7c, 0x00, 0x00, 0xf4], 0x7d00);
  const exit = m.cpu.run(200);
  assert.equal(exit.kind, 'hlt');
  assert.deepEqual(m.io.map((o) => o.value), [0x4f, 0x4b, 0x21]);
  assert.equal(m.cpu.mode(), 4);
  const r = m.cpu.getRegs();
  assert.equal(r.rbx & 0xffffffn, 0x214b4fn);
  assert.equal(r.rax & 0xffffn, 0x10n);
  assert.equal(m.cpu.getSregs().cs.selector, 0x08);
  assert.equal(m.cpu.getSregs().ds.base, 0n);
});

test('loading DS with a selector beyond the GDT limit raises #GP(selector)', () => {
  const m = newMachine();
  realMode(m);
  m.dv.setUint16(0x7c50, 0x17, true);
  m.dv.setUint32(0x7c52, 0x7c60, true);
  m.dv.setBigUint64(0x7c68, 0x00cf9a000000ffffn, true);
  // IDT for protected mode at 0x7e00: vector 13 -> 0x08:0x7d80 (hlt)
  m.dv.setUint32(0x7e00 + 13 * 8, (0x08 << 16) | 0x7d80, true);
  m.dv.setUint32(0x7e00 + 13 * 8 + 4, 0x8e00, true);
  m.dv.setUint16(0x7c58, 14 * 8 - 1, true);
  m.dv.setUint32(0x7c5a, 0x7e00, true);
  m.ram[0x7d80] = 0xf4;
  m.ram.set([0x0f, 0x01, 0x16, 0x50, 0x7c, 0x0f, 0x01, 0x1e, 0x58, 0x7c, // lgdt; lidt
    0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0,              // CR0.PE
    0x66, 0xea, 0x00, 0x7d, 0x00, 0x00, 0x08, 0x00], 0x7c00);
  // 32-bit: mov esp, 0x7000; mov ax, 0x28; mov ds, ax (beyond limit 0x17)
  m.ram.set([0xbc, 0x00, 0x70, 0x00, 0x00, 0x66, 0xb8, 0x28, 0x00, 0x8e, 0xd8], 0x7d00);
  const s = m.cpu.getSregs(); s.ss.db = 1; m.cpu.setSregs(s);
  assert.equal(m.cpu.run(100).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rip, 0x7d81n);
  assert.equal(m.dv.getUint32(0x7000 - 16, true), 0x28); // error code = selector
  assert.equal(m.dv.getUint32(0x7000 - 12, true), 0x7d09); // faulting EIP
});
