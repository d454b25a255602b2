// System behaviour of the bare CPU: external interrupts (IF, STI shadow, HLT wake-up), injected
// exceptions, 32-bit and PAE paging, a 32-bit ring-3 to ring-0 interrupt through the TSS, code
// changed behind the CPU's back (another writer), reset state and the XSAVE image.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySegment } from '../../../src/vmm/x86/kvmState';
import { CODE, DATA, GDT, HANDLERS, IDT, load, longMode, newMachine, protectedMode32, type TestMachine } from './testMachine';

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

test('an external interrupt waits for STI plus one instruction, then wakes HLT through the IDT', () => {
  const m = newMachine();
  longMode(m);
  // sti; nop; hlt   with vector 0x20 -> handler at HANDLERS+0x200: inc rbx; iretq
  load(m, [0xfb, 0x90, 0xf4, 0xf4]);
  m.dv.setUint32(IDT + 0x20 * 16, (0x08 << 16) | ((HANDLERS + 0x200) & 0xffff), true);
  m.dv.setUint32(IDT + 0x20 * 16 + 4, ((HANDLERS + 0x200) & 0xffff0000) | 0x8e00, true);
  m.ram.set([0x48, 0xff, 0xc3, 0x48, 0xcf], HANDLERS + 0x200);
  const s = m.cpu.getSregs();
  s.idt.limit = 0x21 * 16 - 1;
  m.cpu.setSregs(s);
  m.cpu.raiseInterrupt(0x20);
  assert.equal(m.cpu.run(1).kind, 'budget'); // STI: IF=0 before it, nothing delivered
  assert.equal(m.cpu.getRegs().rbx, 0n);
  assert.equal(m.cpu.run(1).kind, 'budget'); // the NOP in the STI shadow runs first
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 2));
  assert.equal(m.cpu.run(100).kind, 'hlt');  // interrupt, handler, IRETQ, then HLT
  assert.equal(m.cpu.getRegs().rbx, 1n);
  assert.equal(m.cpu.run(100).kind, 'hlt');
  m.cpu.raiseInterrupt(0x20);
  assert.equal(m.cpu.run(100).kind, 'hlt');  // woken, handled, next HLT
  assert.equal(m.cpu.getRegs().rbx, 2n);
});

test('injectException() delivers at the next run() with the given error code and CR2', () => {
  const m = newMachine();
  longMode(m);
  load(m, [0x90]);
  m.cpu.injectException(14, 6, 0xdead000n);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rip, BigInt(HANDLERS + 14 * 16 + 1));
  assert.equal(m.cpu.getSregs().cr2, 0xdead000n);
  assert.equal(m.dv.getBigUint64(Number(m.cpu.getRegs().rsp), true), 6n);
});

test('code rewritten by another writer (DMA, debugger, other vCPU) is re-decoded', () => {
  const m = newMachine();
  longMode(m);
  load(m, [0x48, 0xff, 0xc0, 0xeb, 0xfb]); // inc rax; jmp -5
  m.cpu.run(10);
  m.ram.set([0x48, 0xff, 0xc3], CODE); // now inc rbx, written outside the CPU
  m.cpu.run(10);
  assert.ok(m.cpu.getRegs().rbx > 0n);
});

test('32-bit paging with a 4 MiB page and PAE paging translate and enforce R/W', () => {
  const m = newMachine();
  protectedMode32(m);
  // 32-bit paging: PD at 0x100000; PDE0 = 4 MiB page at 0 (PS, RW); PDE1 = 4 MiB page at 4 MiB, read-only.
  m.dv.setUint32(0x100000, 0x83 | 0x04, true);
  m.dv.setUint32(0x100004, 0x400000 | 0x81 | 0x04, true);
  const s = m.cpu.getSregs();
  s.cr3 = 0x100000n; s.cr4 = 0x10n; s.cr0 = 0x80010011n; // PSE; PG WP PE
  s.idt = { base: 0n, limit: 0 };
  m.cpu.setSregs(s);
  load(m, [0xa1, ...le32(DATA), 0xf4]); // mov eax, [DATA]
  m.dv.setUint32(DATA, 0x1234, true);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rax, 0x1234n);
  assert.equal(m.cpu.translate(0x400010n), 0x400010n);
  assert.equal(m.cpu.translate(0x800000n), undefined);
  // A write to the read-only 4 MiB page faults (no IDT -> triple fault -> shutdown).
  const m2 = newMachine();
  protectedMode32(m2);
  m2.dv.setUint32(0x100000, 0x87, true);
  m2.dv.setUint32(0x100004, 0x400000 | 0x85, true);
  const s2 = m2.cpu.getSregs();
  s2.cr3 = 0x100000n; s2.cr4 = 0x10n; s2.cr0 = 0x80010011n; s2.idt = { base: 0n, limit: 0 };
  m2.cpu.setSregs(s2);
  load(m2, [0xa3, ...le32(0x400100), 0xf4]); // mov [0x400100], eax
  assert.equal(m2.cpu.run(10).kind, 'shutdown');
  assert.equal(m2.cpu.getSregs().cr2, 0x400100n);
  // PAE: PDPT at 0x101000 -> PD at 0x102000 -> 2 MiB page at 2 MiB mapped at linear 0.
  const m3 = newMachine();
  protectedMode32(m3);
  m3.dv.setBigUint64(0x101000, 0x102001n, true);
  m3.dv.setBigUint64(0x102000, 0x200000n | 0x83n, true);
  m3.dv.setBigUint64(0x102008, 0x000000n | 0x83n, true); // linear 2 MiB -> physical 0 (code lives there)
  const s3 = m3.cpu.getSregs();
  s3.cr3 = 0x101000n; s3.cr4 = 0x20n; s3.cr0 = 0x80000011n;
  m3.cpu.setSregs(s3);
  const r3 = m3.cpu.getRegs(); r3.rip = BigInt(0x200000 + CODE); m3.cpu.setRegs(r3);
  m3.dv.setUint32(0x200000 + 0x40, 0x5678, true);
  load(m3, [0xa1, ...le32(0x40), 0xf4]); // mov eax, [0x40] (linear 0x40 -> physical 2 MiB + 0x40)
  assert.equal(m3.cpu.run(10).kind, 'hlt');
  assert.equal(m3.cpu.getRegs().rax, 0x5678n);
});

test('32-bit protected mode: INT from ring 3 switches to the ring-0 stack from the TSS', () => {
  const m = newMachine();
  protectedMode32(m);
  const dv = m.dv;
  // GDT additions: 0x30 TSS (32-bit available) at 0x7000; 0x38 ring-3 32-bit code; 0x40 ring-3 data.
  dv.setBigUint64(GDT + 0x30, 0x00008b0070000067n, true);
  dv.setBigUint64(GDT + 0x38, 0x00cffb000000ffffn, true);
  dv.setBigUint64(GDT + 0x40, 0x00cff3000000ffffn, true);
  dv.setUint32(0x7000 + 4, 0x90000, true); // ESP0
  dv.setUint32(0x7000 + 8, 0x10, true);    // SS0
  // IDT gate 0x80: 32-bit trap gate, DPL 3, to 0x18:HANDLERS+0x400 (mov ebx, esp; hlt).
  const target = HANDLERS + 0x400;
  dv.setUint32(IDT + 0x80 * 8, (0x18 << 16) | (target & 0xffff), true);
  dv.setUint32(IDT + 0x80 * 8 + 4, (target & 0xffff0000) | 0xef00, true);
  m.ram.set([0x89, 0xe3, 0xf4], target);
  const s = m.cpu.getSregs();
  s.gdt.limit = 0x47;
  s.idt = { base: BigInt(IDT), limit: 0x81 * 8 - 1 };
  s.cs = { ...emptySegment(), selector: 0x3b, type: 0xb, present: 1, s: 1, dpl: 3, db: 1, g: 1, limit: 0xffffffff };
  s.ss = { ...emptySegment(), selector: 0x43, type: 3, present: 1, s: 1, dpl: 3, db: 1, g: 1, limit: 0xffffffff };
  s.tr = { ...emptySegment(), selector: 0x30, base: 0x7000n, limit: 0x67, type: 0xb, present: 1 };
  m.cpu.setSregs(s);
  load(m, [0xcd, 0x80]); // int 0x80
  assert.equal(m.cpu.run(10).kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rbx, BigInt(0x90000 - 20)); // SS, ESP, EFLAGS, CS, EIP pushed
  assert.equal(dv.getUint32(0x90000 - 20, true), CODE + 2);
  assert.equal(dv.getUint32(0x90000 - 16, true), 0x3b);
  assert.equal(dv.getUint32(0x90000 - 4, true), 0x43);
  assert.equal(m.cpu.getSregs().cs.dpl, 0);
});

test('reset() gives the power-on state: real mode at F000:FFF0 with CS base FFFF0000', () => {
  const m = newMachine();
  longMode(m);
  m.cpu.reset();
  const r = m.cpu.getRegs(), s = m.cpu.getSregs();
  assert.equal(r.rip, 0xfff0n);
  assert.equal(s.cs.selector, 0xf000);
  assert.equal(s.cs.base, 0xffff0000n);
  assert.equal(s.cr0, 0x60000010n);
  assert.equal(m.cpu.mode(), 2);
  assert.equal(r.rdx, 0x306a9n);
});

test('getXsave/setXsave round-trip XMM registers and MXCSR in the FXSAVE layout', () => {
  const m: TestMachine = newMachine();
  const img = m.cpu.getXsave();
  assert.equal(img.length, 4096);
  img[160] = 0xab; img[160 + 16 * 15 + 15] = 0xcd;
  new DataView(img.buffer).setUint32(24, 0x1f00, true);
  m.cpu.setXsave(img);
  const back = m.cpu.getXsave();
  assert.equal(back[160], 0xab);
  assert.equal(back[160 + 255], 0xcd);
  assert.equal(new DataView(back.buffer).getUint32(24, true), 0x1f00);
  assert.throws(() => m.cpu.setXsave(new Uint8Array(10)), /512/);
});

test('MSR access: known MSRs round-trip, unknown ones are refused and RDMSR raises #GP', () => {
  const m = newMachine();
  longMode(m);
  assert.equal(m.cpu.setMsr(0xc0000100, 0x7fff12340000n), true);
  assert.equal(m.cpu.getMsr(0xc0000100), 0x7fff12340000n);
  assert.equal(m.cpu.getSregs().fs.base, 0x7fff12340000n);
  assert.equal(m.cpu.setMsr(0x12345, 1n), false);
  assert.equal(m.cpu.getMsr(0x12345), undefined);
  load(m, [0x0f, 0x32], CODE); // rdmsr (ecx = 0) -> #GP
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rip, BigInt(HANDLERS + 13 * 16 + 1));
  assert.equal(m.cpu.getEventMsrs().efer, 0xd01n);
});

test('RFLAGS.TF raises a #DB trap after the next instruction with DR6.BS set', () => {
  const m = newMachine();
  longMode(m);
  load(m, [0x48, 0xff, 0xc0, 0x48, 0xff, 0xc0]); // inc rax; inc rax
  const r = m.cpu.getRegs(); r.rflags = 0x102n; m.cpu.setRegs(r);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  const after = m.cpu.getRegs();
  assert.equal(after.rax, 1n);
  assert.equal(after.rip, BigInt(HANDLERS + 1 * 16 + 1));
  assert.equal(m.dv.getBigUint64(Number(after.rsp), true), BigInt(CODE + 3));
  assert.equal(after.rflags & 0x100n, 0n);
});
