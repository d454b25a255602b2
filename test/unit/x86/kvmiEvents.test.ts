// KVMI event semantics on the bare CPU (KVMI v12 sections 4-5): page-access (PF) events raised
// before the access with the pre-instruction state, CONTINUE/RETRY, execute restrictions,
// page-crossing accesses, REP string resumption, page-walk reads, and the BREAKPOINT, CR, MSR,
// HYPERCALL, DESCRIPTOR, XSETBV and SINGLESTEP exits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DATA, HANDLERS, load, longMode, newMachine, PT, type TestMachine } from './testMachine';
import { CODE_ADDR as USER_CODE, userMachine } from './nativeDiff';

const R = 1, W = 2, X = 4;

function setup(code: number[], regs: Record<string, bigint> = {}): TestMachine {
  const m = newMachine();
  longMode(m);
  load(m, [...code, 0xf4]);
  const r = m.cpu.getRegs();
  Object.assign(r, regs);
  m.cpu.setRegs(r);
  m.cpu.intercepts.pf = true;
  return m;
}

function restrict(m: TestMachine, gpa: number, allowed: number): void {
  m.cpu.access[gpa >>> 12] = allowed;
  m.cpu.accessChanged();
}

const MOV_STORE = [0x48, 0x89, 0x06]; // mov [rsi], rax

test('a write to a write-restricted frame exits before the instruction with its state intact', () => {
  const m = setup(MOV_STORE, { rsi: BigInt(DATA + 8), rax: 0x1234n });
  restrict(m, DATA, R | X);
  const before = m.cpu.getRegs();
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'pf', gva: BigInt(DATA + 8), gpa: BigInt(DATA + 8), access: W });
  assert.deepEqual(m.cpu.getRegs(), before);
  assert.equal(m.dv.getBigUint64(DATA + 8, true), 0n);
  assert.equal(m.cpu.instructions, 0);
});

test('CONTINUE performs the write once although the frame stays restricted; the next write raises again', () => {
  const m = setup([...MOV_STORE, ...MOV_STORE], { rsi: BigInt(DATA), rax: 7n });
  restrict(m, DATA, R | X);
  assert.equal(m.cpu.run(10).kind, 'pf');
  m.cpu.resume('continue');
  const exit = m.cpu.run(10);
  assert.equal(m.dv.getBigUint64(DATA, true), 7n);
  assert.equal(exit.kind, 'pf');
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 3));
  assert.equal(m.cpu.instructions, 1);
});

test('RETRY re-executes: the event repeats until the tool lifts the restriction', () => {
  const m = setup(MOV_STORE, { rsi: BigInt(DATA), rax: 9n });
  restrict(m, DATA, R);
  assert.equal(m.cpu.run(10).kind, 'pf');
  m.cpu.resume('retry');
  assert.equal(m.cpu.run(10).kind, 'pf');
  restrict(m, DATA, 7);
  m.cpu.resume('retry');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.dv.getBigUint64(DATA, true), 9n);
});

test('reads and writes allowed by the access bits raise nothing; without the PF intercept nothing is raised', () => {
  const m = setup([0x48, 0x8b, 0x06, ...MOV_STORE], { rsi: BigInt(DATA) });
  restrict(m, DATA, R | W);
  assert.equal(m.cpu.run(10).kind, 'hlt');
  const m2 = setup(MOV_STORE, { rsi: BigInt(DATA), rax: 3n });
  m2.cpu.intercepts.pf = false;
  restrict(m2, DATA, 0);
  assert.equal(m2.cpu.run(10).kind, 'hlt');
  assert.equal(m2.dv.getBigUint64(DATA, true), 3n);
});

test('an execute restriction on a code page raises X with gva == RIP before anything runs there', () => {
  const m = setup([0xe9, ...le32(0x1000 - 5)]); // jmp CODE+0x1000
  load(m, [0x48, 0xff, 0xc0, 0xf4], CODE + 0x1000); // inc rax; hlt
  restrict(m, CODE + 0x1000, R | W);
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'pf', gva: BigInt(CODE + 0x1000), gpa: BigInt(CODE + 0x1000), access: X });
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 0x1000));
  m.cpu.resume('continue');
  // Every instruction fetched from the restricted page raises its own event (the permit is one-shot).
  assert.deepEqual(m.cpu.run(10), { kind: 'pf', gva: BigInt(CODE + 0x1003), gpa: BigInt(CODE + 0x1003), access: X });
  assert.equal(m.cpu.getRegs().rax, 1n);
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
});

test('a read-modify-write on a frame without R and W raises R then W', () => {
  const m = setup([0x00, 0x06], { rsi: BigInt(DATA), rax: 1n }); // add [rsi], al
  restrict(m, DATA, X);
  const first = m.cpu.run(10);
  assert.equal(first.kind === 'pf' && first.access, R);
  m.cpu.resume('continue');
  const second = m.cpu.run(10);
  assert.equal(second.kind === 'pf' && second.access, W);
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.ram[DATA], 1);
});

test('a write crossing two restricted frames raises one event per frame, lower frame first, and lands whole', () => {
  const at = DATA + 0x1000 - 4;
  const m = setup(MOV_STORE, { rsi: BigInt(at), rax: 0x1122334455667788n });
  restrict(m, DATA, R | X);
  restrict(m, DATA + 0x1000, R | X);
  const e1 = m.cpu.run(10);
  assert.deepEqual(e1, { kind: 'pf', gva: BigInt(at), gpa: BigInt(at), access: W });
  m.cpu.resume('continue');
  const e2 = m.cpu.run(10);
  assert.deepEqual(e2, { kind: 'pf', gva: BigInt(DATA + 0x1000), gpa: BigInt(DATA + 0x1000), access: W });
  assert.equal(m.dv.getBigUint64(at, true), 0n);
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.dv.getBigUint64(at, true), 0x1122334455667788n);
});

test('REP STOSB running into a restricted frame stops mid-way with completed iterations kept', () => {
  const start = DATA + 0x1000 - 16;
  const m = setup([0xf3, 0xaa], { rdi: BigInt(start), rcx: 32n, rax: 0xaan }); // rep stosb
  restrict(m, DATA + 0x1000, R | X);
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'pf', gva: BigInt(DATA + 0x1000), gpa: BigInt(DATA + 0x1000), access: W });
  const r = m.cpu.getRegs();
  assert.equal(r.rcx, 16n);
  assert.equal(r.rdi, BigInt(DATA + 0x1000));
  assert.equal(r.rip, BigInt(CODE));
  assert.equal(m.ram[start + 15], 0xaa);
  assert.equal(m.ram[DATA + 0x1000], 0);
  restrict(m, DATA + 0x1000, 7);
  m.cpu.resume('retry');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rcx, 0n);
  assert.equal(m.ram[DATA + 0x1000 + 15], 0xaa);
  assert.equal(m.ram[DATA + 0x1000 + 16], 0);
});

test('page-table reads count as reads of the table frame (gva unknown)', () => {
  const m = setup([0x48, 0x8b, 0x06], { rsi: BigInt(DATA + 0x5000) });
  restrict(m, PT, W | X);
  const exit = m.cpu.run(10);
  // The instruction fetch walks first: the code page's PTE is the first table entry read.
  assert.deepEqual(exit, { kind: 'pf', gva: 0xffffffffffffffffn, gpa: BigInt(PT + (CODE >>> 12) * 8), access: R });
});

test('INT3 with the breakpoint intercept exits; CONTINUE delivers #BP, RETRY re-enters at the new RIP', () => {
  const m = setup([0xcc, 0x48, 0xff, 0xc0]);
  m.cpu.intercepts.breakpoint = true;
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'breakpoint', gpa: BigInt(CODE), insnLen: 1 });
  const r = m.cpu.getRegs();
  r.rip += 1n;
  m.cpu.setRegs(r);
  m.cpu.resume('retry');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rax, 1n);
  const m2 = setup([0xcc]);
  m2.cpu.intercepts.breakpoint = true;
  m2.cpu.run(10);
  m2.cpu.resume('continue');
  assert.equal(m2.cpu.run(10).kind, 'hlt');
  assert.equal(m2.cpu.getRegs().rip, BigInt(HANDLERS + 3 * 16 + 1));
  assert.equal(m2.dv.getBigUint64(Number(m2.cpu.getRegs().rsp), true), BigInt(CODE + 1));
});

test('CR write intercept: CONTINUE with the old value blocks the write, with the new value allows it', () => {
  const code = [0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xe0]; // mov rax,cr4; or rax,0x40000; mov cr4,rax
  const m = setup(code);
  m.cpu.intercepts.crWrite.add(4);
  const exit = m.cpu.run(10);
  assert.equal(exit.kind, 'cr');
  if (exit.kind !== 'cr') return;
  assert.equal(exit.newValue, exit.oldValue | 0x40000n);
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 9));
  m.cpu.resume('continue', { newValue: exit.oldValue });
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getSregs().cr4, exit.oldValue);
  const m2 = setup(code);
  m2.cpu.intercepts.crWrite.add(4);
  const e2 = m2.cpu.run(10);
  m2.cpu.resume('continue', { newValue: e2.kind === 'cr' ? e2.newValue : 0n });
  assert.equal(m2.cpu.run(10).kind, 'hlt');
  assert.equal(m2.cpu.getSregs().cr4 & 0x40000n, 0x40000n);
});

test('MSR write intercept reports old and new values and applies the reply', () => {
  const m = setup([0x0f, 0x30], { rcx: 0xc0000082n, rax: 0x1000n, rdx: 0n }); // wrmsr LSTAR
  m.cpu.intercepts.msrWrite.add(0xc0000082);
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'msr', msr: 0xc0000082, oldValue: 0n, newValue: 0x1000n });
  m.cpu.resume('continue', { newValue: 0x2000n });
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getMsr(0xc0000082), 0x2000n);
});

test('VMCALL: hypercall exit when intercepted (CONTINUE returns 0), -ENOSYS otherwise', () => {
  const m = setup([0x0f, 0x01, 0xc1], { rax: 34n });
  m.cpu.intercepts.hypercall = true;
  assert.equal(m.cpu.run(10).kind, 'hypercall');
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE));
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rax, 0n);
  const m2 = setup([0x0f, 0x01, 0xc1], { rax: 34n });
  assert.equal(m2.cpu.run(10).kind, 'hlt');
  assert.equal(m2.cpu.getRegs().rax, BigInt.asUintN(64, -1000n));
});

test('descriptor intercept: SIDT exits with IDTR/read, LGDT with GDTR/write; RETRY repeats, CONTINUE executes', () => {
  const m = setup([0x0f, 0x01, 0x0e], { rsi: BigInt(DATA) }); // sidt [rsi]
  m.cpu.intercepts.descriptor = true;
  assert.deepEqual(m.cpu.run(10), { kind: 'descriptor', descriptor: 1, write: false });
  m.cpu.resume('retry');
  assert.deepEqual(m.cpu.run(10), { kind: 'descriptor', descriptor: 1, write: false });
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.dv.getUint16(DATA, true), 32 * 16 - 1);
  const m2 = setup([0x0f, 0x01, 0x16], { rsi: BigInt(DATA) }); // lgdt [rsi]
  m2.cpu.intercepts.descriptor = true;
  assert.deepEqual(m2.cpu.run(10), { kind: 'descriptor', descriptor: 2, write: true });
});

test('XSETBV that rewrites the current XCR0 raises no event', () => {
  const m = setup([0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xe0, // set CR4.OSXSAVE
    0x31, 0xc9, 0xb8, 0x01, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x01, 0xd1]); // xor ecx,ecx; mov eax,1; xor edx,edx; xsetbv
  m.cpu.intercepts.xsetbv = true;
  assert.equal(m.cpu.run(100).kind, 'hlt');
  assert.equal(m.cpu.getXcr0(), 1n);
});

test('XSETBV exit reports the XCR0 change; singlestep exits after every instruction', () => {
  const m = setup([0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xe0, // set CR4.OSXSAVE
    0x31, 0xc9, 0xb8, 0x03, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x01, 0xd1]); // xor ecx,ecx; mov eax,3; xor edx,edx; xsetbv
  m.cpu.intercepts.xsetbv = true;
  const exit = m.cpu.run(100);
  assert.deepEqual(exit, { kind: 'xsetbv', xcr: 0, oldValue: 1n, newValue: 3n });
  // As KVM's __kvm_set_xcr(): XCR0 already holds the new value, RIP is still at XSETBV.
  assert.equal(m.cpu.getXcr0(), 3n);
  assert.equal(m.cpu.getRegs().rip, BigInt(CODE + 21));
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(100).kind, 'hlt');
  assert.equal(m.cpu.getXcr0(), 3n);
  const m2 = setup([0x90, 0x90]);
  m2.cpu.intercepts.singlestep = true;
  assert.equal(m2.cpu.run(100).kind, 'singlestep');
  assert.equal(m2.cpu.getRegs().rip, BigInt(CODE + 1));
  m2.cpu.resume('continue');
  assert.equal(m2.cpu.run(100).kind, 'singlestep');
  assert.equal(m2.cpu.instructions, 2);
});

test('requestStop() from a device callback ends run() before the next instruction', () => {
  const m = setup([0xe6, 0x80, 0x90, 0x90]); // out 0x80, al
  const cpu = m.cpu;
  (cpu.bus as { ioWrite: (p: number, s: number, v: number) => void }).ioWrite = () => cpu.requestStop();
  assert.equal(cpu.run(100).kind, 'stopRequested');
  assert.equal(cpu.getRegs().rip, BigInt(CODE + 2));
});

test('translate() walks the guest page tables without side effects', () => {
  const m = setup([]);
  assert.equal(m.cpu.translate(BigInt(DATA + 0x123)), BigInt(DATA + 0x123));
  assert.equal(m.cpu.translate(0x7fff00000000n), undefined);
  assert.equal(m.dv.getBigUint64(PT + (DATA >>> 12) * 8, true) & 0x20n, 0n);
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

test('setting accessed/dirty bits in a write-restricted page-table frame raises a W event on the entry', () => {
  const m = setup([0x48, 0x89, 0x06], { rsi: BigInt(DATA) }); // mov [rsi], rax: the first access sets the data PTE's A and D bits
  m.cpu.access[PT >>> 12] = R | X;
  m.cpu.accessChanged();
  // The code page's PTE gets its accessed bit first (instruction fetch), so that is the first event.
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'pf', gva: 0xffffffffffffffffn, gpa: BigInt(PT + (CODE >>> 12) * 8), access: W });
  // The permit covers (PT frame, W) for the rest of this instruction, so the data PTE's A/D update
  // in the same frame raises no second event.
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.dv.getBigUint64(PT + (DATA >>> 12) * 8, true) & 0x60n, 0x60n);
});

test('a KVMI event while delivering an exception from ring 3 leaves the ring-3 state untouched', () => {
  const m = userMachine(8);
  m.ram.set([0x0f, 0x0b], USER_CODE); // ud2
  const r = m.cpu.getRegs();
  r.rip = BigInt(USER_CODE);
  r.rsp = 0x400800n;
  m.cpu.setRegs(r);
  m.cpu.intercepts.pf = true;
  m.cpu.access[0x7e] = R | X; // the ring-0 stack page (TSS RSP0 = 0x7f000)
  m.cpu.accessChanged();
  const exit = m.cpu.run(10);
  assert.deepEqual(exit, { kind: 'pf', gva: 0x7eff8n, gpa: 0x7eff8n, access: W });
  const s = m.cpu.getSregs();
  assert.equal(s.cs.selector, 0x2b);
  assert.equal(s.cs.dpl, 3);
  assert.equal(m.cpu.getRegs().rsp, 0x400800n);
  assert.equal(m.cpu.getRegs().rip, BigInt(USER_CODE));
  m.cpu.resume('continue');
  assert.equal(m.cpu.run(10).kind, 'hlt');
  assert.equal(m.cpu.getRegs().rip, BigInt(HANDLERS + 6 * 16 + 1));
  assert.equal(m.dv.getBigUint64(0x7efd8, true), BigInt(USER_CODE)); // pushed RIP (frame aligned to 16)
});
