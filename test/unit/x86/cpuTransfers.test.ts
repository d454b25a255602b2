// Control transfers and state instructions beyond the basics: IRETQ to ring 3, far CALL/RETF in
// 32-bit protected mode, SYSENTER/SYSEXIT, ENTER/LEAVE, REP OUTSB/INSB through the bus, and
// XSAVE/XRSTOR/FNSTCW of the x87/SSE state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DATA, load, longMode, newMachine, protectedMode32, STACK_TOP } from './testMachine';

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

test('IRETQ from ring 0 to a ring-3 frame loads CPL 3, RSP and RFLAGS from the frame', () => {
  const m = newMachine();
  longMode(m);
  // push 0x23 (SS); push DATA+0x800 (RSP); push 0x202; push 0x2b (CS); push CODE+0x100; iretq
  load(m, [0x6a, 0x23, 0x68, ...le32(DATA + 0x800), 0x68, 0x02, 0x02, 0, 0, 0x6a, 0x2b, 0x68, ...le32(CODE + 0x100), 0x48, 0xcf]);
  load(m, [0x90, 0x90], CODE + 0x100);
  m.cpu.run(7);
  const r = m.cpu.getRegs();
  assert.equal(r.rip, BigInt(CODE + 0x101));
  assert.equal(r.rsp, BigInt(DATA + 0x800));
  assert.equal(r.rflags & 0x200n, 0x200n);
  assert.equal(m.cpu.getSregs().cs.selector, 0x2b);
  assert.equal(m.cpu.getSregs().cs.dpl, 3);
});

test('far CALL and RETF in 32-bit protected mode reload CS and return', () => {
  const m = newMachine();
  protectedMode32(m);
  // call 0x18:CODE+0x40; hlt   /  at +0x40: mov ebx, 7; retf
  load(m, [0x9a, ...le32(CODE + 0x40), 0x18, 0x00, 0xf4]);
  load(m, [0xbb, 7, 0, 0, 0, 0xcb], CODE + 0x40);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rbx, 7n);
  assert.equal(r.rip, BigInt(CODE + 8));
  assert.equal(r.rsp, BigInt(STACK_TOP));
});

test('SYSENTER enters ring 0 at SYSENTER_EIP/ESP and SYSEXIT returns to ring 3', () => {
  const m = newMachine();
  protectedMode32(m);
  m.cpu.setMsr(0x174, 0x18n); // CS 0x18 (code), SS 0x20; user CS 0x28|3, SS 0x30|3
  m.cpu.setMsr(0x175, 0x70000n);
  m.cpu.setMsr(0x176, BigInt(CODE + 0x80));
  // kernel entry: mov edx, CODE+0x40; mov ecx, 0x6000; sysexit   user code at +0x40: hlt is privileged -> use nop
  load(m, [0x0f, 0x34]);
  load(m, [0xba, ...le32(CODE + 0x40), 0xb9, 0x00, 0x60, 0x00, 0x00, 0x0f, 0x35], CODE + 0x80);
  load(m, [0x90], CODE + 0x40);
  m.cpu.run(1);
  assert.equal(m.cpu.getRegs().rsp, 0x70000n);
  assert.equal(m.cpu.getSregs().cs.selector, 0x18);
  m.cpu.run(4);
  const r = m.cpu.getRegs();
  assert.equal(r.rip, BigInt(CODE + 0x41));
  assert.equal(r.rsp, 0x6000n);
  assert.equal(m.cpu.getSregs().cs.selector, 0x2b);
  assert.equal(m.cpu.getSregs().cs.dpl, 3);
});

test('ENTER builds a frame with nesting level 1; LEAVE tears it down', () => {
  const m = newMachine();
  longMode(m);
  load(m, [0xc8, 0x20, 0x00, 0x01, 0xc9, 0xf4]); // enter 0x20, 1; leave; hlt
  const r0 = m.cpu.getRegs(); r0.rbp = 0x1234n; m.cpu.setRegs(r0);
  m.cpu.run(1);
  const r = m.cpu.getRegs();
  const frame = BigInt(STACK_TOP - 8);
  assert.equal(r.rbp, frame);
  assert.equal(r.rsp, frame - 8n - 0x20n);
  assert.equal(m.dv.getBigUint64(STACK_TOP - 8, true), 0x1234n);
  assert.equal(m.dv.getBigUint64(STACK_TOP - 16, true), frame);
  m.cpu.run(10);
  assert.equal(m.cpu.getRegs().rbp, 0x1234n);
  assert.equal(m.cpu.getRegs().rsp, BigInt(STACK_TOP));
});

test('REP OUTSB sends each byte to the port; IN reads through the bus', () => {
  const m = newMachine();
  longMode(m);
  m.ram.set([0x48, 0x69], DATA);
  load(m, [0x66, 0xba, 0xf8, 0x03, 0xf3, 0x6e, 0xec, 0xf4]); // mov dx, 0x3f8; rep outsb; in al, dx
  const r = m.cpu.getRegs(); Object.assign(r, { rsi: BigInt(DATA), rcx: 2n }); m.cpu.setRegs(r);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.deepEqual(m.io, [{ port: 0x3f8, size: 1, value: 0x48 }, { port: 0x3f8, size: 1, value: 0x69 }]);
  assert.equal(m.cpu.getRegs().rax & 0xffn, 0xffn);
});

test('XSAVE/XRSTOR save and restore XMM state; FNSTCW reads the x87 control word', () => {
  const m = newMachine();
  longMode(m);
  const s = m.cpu.getSregs(); s.cr4 |= 0x40000n; m.cpu.setSregs(s); // OSXSAVE
  m.dv.setUint32(DATA + 0x1000, 0xcafe, true);
  load(m, [
    0x31, 0xc9, 0xb8, 3, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x01, 0xd1, // XCR0 = x87 | SSE (xsetbv)
    0x66, 0x0f, 0x6e, 0x07,             // movd xmm0, [rdi]   (rdi = DATA+0x1000)
    0xb8, 3, 0, 0, 0, 0x31, 0xd2,       // mov eax, 3; xor edx, edx
    0x0f, 0xae, 0x26,                   // xsave [rsi]
    0x66, 0x0f, 0xef, 0xc0,             // pxor xmm0, xmm0
    0x0f, 0xae, 0x2e,                   // xrstor [rsi]
    0x66, 0x0f, 0x7e, 0xc3,             // movd ebx, xmm0
    0xd9, 0x7f, 0x40,                   // fnstcw [rdi+0x40]
    0xf4]);
  const r = m.cpu.getRegs(); Object.assign(r, { rsi: BigInt(DATA), rdi: BigInt(DATA + 0x1000) }); m.cpu.setRegs(r);
  assert.equal(m.cpu.run(20).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rbx, 0xcafen);
  assert.equal(m.dv.getUint32(DATA + 160, true), 0xcafe);
  assert.equal(m.dv.getUint32(DATA + 512, true) & 3, 3);
  assert.equal(m.dv.getUint16(DATA + 0x1040, true), 0x37f);
});
