// Instruction semantics from hand-computed vectors, on the bare CPU in 64-bit long mode: results
// and all defined status flags of the arithmetic, logic, shift, multiply/divide and bit groups,
// plus stack, control flow, string operations, exceptions through the IDT and mode switches.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, DATA, HANDLERS, load, longMode, newMachine, protectedMode32, realMode, runToHlt, STACK_TOP, type TestMachine } from './testMachine';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const STATUS = CF | PF | AF | ZF | SF | OF;

/** Runs `code` + HLT in long mode with the given registers; returns the machine. */
function exec64(code: number[], regs: Partial<Record<'rax' | 'rbx' | 'rcx' | 'rdx' | 'rsi' | 'rdi' | 'rflags', bigint>> = {}): TestMachine {
  const m = newMachine();
  longMode(m);
  load(m, [...code, 0xf4]);
  const r = m.cpu.getRegs();
  Object.assign(r, regs);
  m.cpu.setRegs(r);
  const exit = runToHlt(m);
  assert.equal(exit.kind, 'hlt');
  return m;
}

function flagsOf(m: TestMachine, mask = STATUS): number {
  return Number(m.cpu.getRegs().rflags) & mask;
}

test('ADD r64 sets CF, ZF, PF, AF on 0xffffffffffffffff + 1', () => {
  const m = exec64([0x48, 0x01, 0xd8], { rax: 0xffffffffffffffffn, rbx: 1n }); // add rax, rbx
  assert.equal(m.cpu.getRegs().rax, 0n);
  assert.equal(flagsOf(m), CF | ZF | PF | AF);
});

test('ADD r32 signed overflow sets OF and SF and zero-extends into the upper half', () => {
  const m = exec64([0x01, 0xd8], { rax: 0xffffffff7fffffffn, rbx: 1n }); // add eax, ebx
  assert.equal(m.cpu.getRegs().rax, 0x80000000n);
  assert.equal(flagsOf(m), OF | SF | AF | PF);
});

test('SUB r8 borrow: 0 - 1 = 0xff with CF, SF, AF, PF', () => {
  const m = exec64([0x28, 0xd8], { rax: 0x1200n, rbx: 1n }); // sub al, bl
  assert.equal(m.cpu.getRegs().rax, 0x12ffn);
  assert.equal(flagsOf(m), CF | SF | AF | PF);
});

test('ADC and SBB use the incoming carry across a 128-bit add', () => {
  // stc; adc rax, rbx ; (rax=1,rbx=2) -> 4
  const m = exec64([0xf9, 0x48, 0x11, 0xd8], { rax: 1n, rbx: 2n });
  assert.equal(m.cpu.getRegs().rax, 4n);
  const m2 = exec64([0xf9, 0x48, 0x19, 0xd8], { rax: 1n, rbx: 1n }); // stc; sbb rax, rbx -> -1
  assert.equal(m2.cpu.getRegs().rax, 0xffffffffffffffffn);
  assert.equal(flagsOf(m2, CF | SF | ZF), CF | SF);
});

test('CMP 64-bit signed less-than sets SF != OF', () => {
  const m = exec64([0x48, 0x39, 0xd8], { rax: 0x8000000000000000n, rbx: 1n }); // cmp rax, rbx
  assert.equal(flagsOf(m, CF | OF | SF | ZF), OF);
  assert.equal(m.cpu.getRegs().rax, 0x8000000000000000n);
});

test('INC keeps CF; DEC to zero sets ZF; NEG sets CF for nonzero', () => {
  const m = exec64([0xf9, 0x48, 0xff, 0xc0], { rax: 0x7fffffffffffffffn }); // stc; inc rax
  assert.equal(m.cpu.getRegs().rax, 0x8000000000000000n);
  assert.equal(flagsOf(m, CF | OF | SF), CF | OF | SF);
  const m2 = exec64([0x48, 0xf7, 0xd8], { rax: 5n }); // neg rax
  assert.equal(m2.cpu.getRegs().rax, 0xfffffffffffffffbn);
  assert.equal(flagsOf(m2, CF | SF), CF | SF);
});

test('AND/OR/XOR clear CF and OF; XOR eax,eax zeroes the whole register', () => {
  const m = exec64([0xf9, 0x31, 0xc0], { rax: 0xffffffffffffffffn }); // stc; xor eax, eax
  assert.equal(m.cpu.getRegs().rax, 0n);
  assert.equal(flagsOf(m, CF | OF | ZF | PF), ZF | PF);
});

test('SHL/SHR/SAR: CF is the last bit shifted out, OF for count 1', () => {
  const m = exec64([0x48, 0xd1, 0xe0], { rax: 0xc000000000000000n }); // shl rax, 1
  assert.equal(m.cpu.getRegs().rax, 0x8000000000000000n);
  assert.equal(flagsOf(m, CF | OF | SF | ZF), CF | SF);
  const m2 = exec64([0xc1, 0xf8, 0x04], { rax: 0x80000018n }); // sar eax, 4
  assert.equal(m2.cpu.getRegs().rax, 0xf8000001n);
  assert.equal(flagsOf(m2, CF | SF), CF | SF);
  const m3 = exec64([0x48, 0xd3, 0xe8], { rax: 0x100n, rcx: 0x48n }); // shr rax, cl (count masked to 8)
  assert.equal(m3.cpu.getRegs().rax, 1n);
});

test('ROL/RCR rotate through the carry', () => {
  const m = exec64([0xd0, 0xc0], { rax: 0x81n }); // rol al, 1
  assert.equal(m.cpu.getRegs().rax & 0xffn, 0x03n);
  assert.equal(flagsOf(m, CF), CF);
  const m2 = exec64([0xf9, 0xd0, 0xd8], { rax: 0x02n }); // stc; rcr al, 1
  assert.equal(m2.cpu.getRegs().rax & 0xffn, 0x81n);
  assert.equal(flagsOf(m2, CF), 0);
});

test('SHLD/SHRD shift in bits from the source', () => {
  const m = exec64([0x0f, 0xa4, 0xd8, 0x04], { rax: 0x12345678n, rbx: 0xabcdef01n }); // shld eax, ebx, 4
  assert.equal(m.cpu.getRegs().rax, 0x2345678an);
  const m2 = exec64([0x48, 0x0f, 0xac, 0xd8, 0x08], { rax: 0x1122334455667788n, rbx: 0xaan }); // shrd rax, rbx, 8
  assert.equal(m2.cpu.getRegs().rax, 0xaa11223344556677n);
});

test('MUL r64 gives the 128-bit product in RDX:RAX with CF=OF', () => {
  const m = exec64([0x48, 0xf7, 0xe3], { rax: 0xffffffffffffffffn, rbx: 0xffffffffffffffffn }); // mul rbx
  assert.equal(m.cpu.getRegs().rax, 1n);
  assert.equal(m.cpu.getRegs().rdx, 0xfffffffffffffffen);
  assert.equal(flagsOf(m, CF | OF), CF | OF);
});

test('IMUL forms: three-operand overflow and one-operand sign extension', () => {
  const m = exec64([0x69, 0xc3, 0x00, 0x00, 0x01, 0x00], { rbx: 0x10000n }); // imul eax, ebx, 0x10000
  assert.equal(m.cpu.getRegs().rax, 0n);
  assert.equal(flagsOf(m, CF | OF), CF | OF);
  const m2 = exec64([0x48, 0xf7, 0xeb], { rax: 0xfffffffffffffffen, rbx: 3n }); // imul rbx
  assert.equal(m2.cpu.getRegs().rax, 0xfffffffffffffffan);
  assert.equal(m2.cpu.getRegs().rdx, 0xffffffffffffffffn);
  assert.equal(flagsOf(m2, CF | OF), 0);
});

test('DIV and IDIV compute quotient and remainder', () => {
  const m = exec64([0x48, 0xf7, 0xf3], { rax: 100n, rdx: 1n, rbx: 7n }); // div rbx: (2^64+100)/7
  const n = (1n << 64n) + 100n;
  assert.equal(m.cpu.getRegs().rax, n / 7n);
  assert.equal(m.cpu.getRegs().rdx, n % 7n);
  const m2 = exec64([0xf7, 0xfb], { rax: 0xfffffff9n, rdx: 0xffffffffn, rbx: 2n }); // idiv ebx: -7/2
  assert.equal(m2.cpu.getRegs().rax, 0xfffffffdn);
  assert.equal(m2.cpu.getRegs().rdx, 0xffffffffn);
});

test('DIV by zero raises #DE through the IDT with RIP at the faulting instruction', () => {
  const m = newMachine();
  longMode(m);
  load(m, [0x48, 0xf7, 0xf3, 0xf4]); // div rbx (rbx = 0)
  const exit = runToHlt(m);
  assert.equal(exit.kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rip, BigInt(HANDLERS + 1)); // after the handler's HLT at vector 0
  assert.equal(m.dv.getBigUint64(Number(r.rsp), true), BigInt(CODE)); // pushed RIP
  assert.equal(m.dv.getBigUint64(Number(r.rsp) + 8, true), 0x08n); // pushed CS
});

test('#PF delivers the error code and sets CR2 for a write to a read-only page', () => {
  const m = newMachine();
  longMode(m);
  m.dv.setBigUint64(0x4000 + 0x20 * 8, BigInt((0x20 << 12) | 5), true); // PT[0x20]: present, user, read-only
  load(m, [0x48, 0xc7, 0x04, 0x25, 0x10, 0x00, 0x02, 0x00, 0x2a, 0, 0, 0, 0xf4]); // mov qword [0x20010], 42
  const exit = runToHlt(m);
  assert.equal(exit.kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rip, BigInt(HANDLERS + 14 * 16 + 1));
  assert.equal(m.cpu.getSregs().cr2, 0x20010n);
  assert.equal(m.dv.getBigUint64(Number(r.rsp), true), 3n); // P | W
  assert.equal(m.dv.getBigUint64(Number(r.rsp) + 8, true), BigInt(CODE));
  assert.equal(m.dv.getUint32(0x20010, true), 0);
});

test('BT/BTS/BSF/BSR/POPCNT/LZCNT/TZCNT', () => {
  const m = exec64([0x48, 0x0f, 0xab, 0xc8], { rax: 0n, rcx: 65n }); // bts rax, rcx (bit 1)
  assert.equal(m.cpu.getRegs().rax, 2n);
  assert.equal(flagsOf(m, CF), 0);
  const m2 = exec64([0x48, 0x0f, 0xbc, 0xc3, 0x48, 0x0f, 0xbd, 0xcb], { rbx: 0x0000100000000100n }); // bsf rax,rbx; bsr rcx,rbx
  assert.equal(m2.cpu.getRegs().rax, 8n);
  assert.equal(m2.cpu.getRegs().rcx, 44n);
  const m3 = exec64([0xf3, 0x48, 0x0f, 0xb8, 0xc3, 0xf3, 0x0f, 0xbd, 0xcb, 0xf3, 0x0f, 0xbc, 0xd6], { rbx: 0xf0n, rsi: 0n });
  assert.equal(m3.cpu.getRegs().rax, 4n); // popcnt rax, rbx
  assert.equal(m3.cpu.getRegs().rcx, 24n); // lzcnt ecx, ebx
  assert.equal(m3.cpu.getRegs().rdx, 32n); // tzcnt edx, esi (source 0)
  assert.equal(flagsOf(m3, CF), CF);
});

test('CMOVcc with a false condition still zero-extends a 32-bit destination', () => {
  const m = exec64([0x85, 0xc0, 0x0f, 0x45, 0xcb], { rax: 0n, rbx: 5n, rcx: 0xffffffff00000007n }); // test eax,eax; cmovne ecx, ebx
  assert.equal(m.cpu.getRegs().rcx, 7n);
});

test('SETcc, MOVZX, MOVSX, MOVSXD, CDQE, CQO, BSWAP', () => {
  const m = exec64([0x48, 0x39, 0xd8, 0x0f, 0x9c, 0xc1, 0x48, 0x0f, 0xbe, 0xd3, 0x48, 0x63, 0xf3, 0x48, 0x99],
    { rax: 1n, rbx: 0x80000080n }); // cmp rax,rbx; setl cl; movsx rdx, bl; movsxd rsi, ebx; cqo
  const r = m.cpu.getRegs();
  assert.equal(r.rcx & 0xffn, 1n);
  assert.equal(r.rdx, 0n); // cqo of rax=1 overwrote rdx
  assert.equal(r.rsi, 0xffffffff80000080n);
  assert.equal(r.rbx, 0x80000080n);
  const m2 = exec64([0x0f, 0xcb, 0x48, 0x0f, 0xc9], { rbx: 0xffffffff11223344n, rcx: 0x0102030405060708n }); // bswap ebx; bswap rcx
  assert.equal(m2.cpu.getRegs().rbx, 0x44332211n);
  assert.equal(m2.cpu.getRegs().rcx, 0x0807060504030201n);
});

test('PUSH/POP/CALL/RET keep RSP and the return address right', () => {
  // call +1; hlt; (target:) pop rbx; push rbx; ret -> returns to hlt
  const m = exec64([0xe8, 0x01, 0x00, 0x00, 0x00, 0xf4, 0x5b, 0x53, 0xc3]);
  const r = m.cpu.getRegs();
  assert.equal(r.rbx, BigInt(CODE + 5));
  assert.equal(r.rsp, BigInt(STACK_TOP));
  assert.equal(r.rip, BigInt(CODE + 6));
});

test('LOOP counts RCX down; JRCXZ branches on zero', () => {
  const m = exec64([0x48, 0xff, 0xc0, 0xe2, 0xfb], { rcx: 10n }); // inc rax; loop -5
  assert.equal(m.cpu.getRegs().rax, 10n);
  assert.equal(m.cpu.getRegs().rcx, 0n);
});

test('REP MOVSB copies, REPNE SCASB finds a byte, REP STOSQ fills', () => {
  const m = newMachine();
  longMode(m);
  m.ram.set([1, 2, 3, 4, 5, 0x42, 7], DATA);
  // rep movsb (rsi=DATA, rdi=DATA+0x100, rcx=7); mov rdi, DATA; mov al, 0x42; mov rcx, 7; repne scasb
  load(m, [0xf3, 0xa4, 0x48, 0xc7, 0xc7, ...le32(DATA), 0xb0, 0x42, 0x48, 0xc7, 0xc1, 7, 0, 0, 0, 0xf2, 0xae, 0xf4]);
  const r0 = m.cpu.getRegs();
  Object.assign(r0, { rsi: BigInt(DATA), rdi: BigInt(DATA + 0x100), rcx: 7n });
  m.cpu.setRegs(r0);
  assert.equal(runToHlt(m).kind, 'hlt');
  assert.deepEqual([...m.ram.subarray(DATA + 0x100, DATA + 0x107)], [1, 2, 3, 4, 5, 0x42, 7]);
  const r = m.cpu.getRegs();
  assert.equal(r.rdi, BigInt(DATA + 6));
  assert.equal(r.rcx, 1n);
  const m2 = exec64([0xf3, 0x48, 0xab], { rax: 0x1122334455667788n, rdi: BigInt(DATA), rcx: 3n });
  assert.equal(m2.dv.getBigUint64(DATA + 16, true), 0x1122334455667788n);
  assert.equal(m2.cpu.getRegs().rdi, BigInt(DATA + 24));
});

test('CMPXCHG, XADD, XCHG, CMPXCHG16B', () => {
  const m = exec64([0x48, 0x0f, 0xb1, 0xcb], { rax: 5n, rbx: 5n, rcx: 9n }); // cmpxchg rbx, rcx
  assert.equal(m.cpu.getRegs().rbx, 9n);
  assert.equal(flagsOf(m, ZF), ZF);
  const m2 = exec64([0x48, 0x0f, 0xc1, 0xc3], { rax: 2n, rbx: 3n }); // xadd rbx, rax
  assert.equal(m2.cpu.getRegs().rbx, 5n);
  assert.equal(m2.cpu.getRegs().rax, 3n);
  const m3 = newMachine();
  longMode(m3);
  m3.dv.setBigUint64(DATA, 1n, true);
  m3.dv.setBigUint64(DATA + 8, 2n, true);
  load(m3, [0x48, 0x0f, 0xc7, 0x0e, 0xf4]); // cmpxchg16b [rsi]
  const r = m3.cpu.getRegs();
  Object.assign(r, { rsi: BigInt(DATA), rax: 1n, rdx: 2n, rbx: 7n, rcx: 8n });
  m3.cpu.setRegs(r);
  runToHlt(m3);
  assert.equal(m3.dv.getBigUint64(DATA, true), 7n);
  assert.equal(m3.dv.getBigUint64(DATA + 8, true), 8n);
});

test('SSE2: PXOR, MOVQ, PADDD, MOVDQU round trip and CVTSI2SD/CVTTSD2SI', () => {
  const m = newMachine();
  longMode(m);
  m.dv.setUint32(DATA, 1, true); m.dv.setUint32(DATA + 4, 2, true); m.dv.setUint32(DATA + 8, 3, true); m.dv.setUint32(DATA + 12, 0xffffffff, true);
  load(m, [
    0x66, 0x0f, 0xef, 0xc0,             // pxor xmm0, xmm0
    0xf3, 0x0f, 0x6f, 0x0e,             // movdqu xmm1, [rsi]
    0x66, 0x0f, 0xfe, 0xc9,             // paddd xmm1, xmm1
    0xf3, 0x0f, 0x7f, 0x4e, 0x10,       // movdqu [rsi+16], xmm1
    0xf2, 0x48, 0x0f, 0x2a, 0xd3,       // cvtsi2sd xmm2, rbx
    0xf2, 0x0f, 0x59, 0xd2,             // mulsd xmm2, xmm2
    0xf2, 0x48, 0x0f, 0x2c, 0xc2,       // cvttsd2si rax, xmm2
    0xf4]);
  const r = m.cpu.getRegs();
  Object.assign(r, { rsi: BigInt(DATA), rbx: 0xfffffffffffffffdn });
  m.cpu.setRegs(r);
  assert.equal(runToHlt(m).kind, 'hlt');
  assert.deepEqual([0, 4, 8, 12].map((k) => m.dv.getUint32(DATA + 16 + k, true)), [2, 4, 6, 0xfffffffe]);
  assert.equal(m.cpu.getRegs().rax, 9n);
});

test('real mode: INT through the IVT and IRET back; segment arithmetic', () => {
  const m = newMachine();
  realMode(m);
  // IVT[0x21] = 0000:0x7d00; handler: mov bx, 0x55; iret. Main: int 0x21; mov ax, ds:[0x7e00]; hlt
  m.dv.setUint16(0x21 * 4, 0x7d00, true);
  m.dv.setUint16(0x21 * 4 + 2, 0, true);
  m.ram.set([0xbb, 0x55, 0x00, 0xcf], 0x7d00);
  m.dv.setUint16(0x7e00, 0xbeef, true);
  m.ram.set([0xcd, 0x21, 0xa1, 0x00, 0x7e, 0xf4], 0x7c00);
  assert.equal(m.cpu.run(100).kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rbx, 0x55n);
  assert.equal(r.rax, 0xbeefn);
  assert.equal(r.rsp, 0x7000n);
  assert.equal(m.cpu.mode(), 2);
});

test('32-bit protected mode switches to long mode itself (PVH-style entry)', () => {
  const m = newMachine();
  protectedMode32(m);
  // Build the same page tables and GDT the long-mode helper uses, then from 32-bit code:
  longMode(newMachineShared(m));
  const code = [
    0x0f, 0x20, 0xe0, 0x0d, 0x20, 0x00, 0x00, 0x00, 0x0f, 0x22, 0xe0,        // mov eax,cr4; or eax,0x20 (PAE); mov cr4,eax
    0xb8, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x22, 0xd8,                          // mov eax, PML4; mov cr3, eax
    0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30, // rdmsr EFER; or LME; wrmsr
    0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0,        // mov eax,cr0; or PG; mov cr0,eax
    0xea, ...le32(CODE + 0x40), 0x08, 0x00,                                  // jmp 0x08:CODE+0x40
  ];
  load(m, code);
  load(m, [0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xf4], CODE + 0x40); // mov rax, imm64; hlt
  assert.equal(m.cpu.run(100).kind, 'hlt');
  assert.equal(m.cpu.mode(), 8);
  assert.equal(m.cpu.getRegs().rax, 0x1122334455667788n);
  assert.equal(m.cpu.getSregs().efer & 0x500n, 0x500n);
});

test('triple fault (no IDT) ends run() with a shutdown exit', () => {
  const m = newMachine();
  longMode(m);
  const s = m.cpu.getSregs();
  s.idt = { base: 0n, limit: 0 };
  m.cpu.setSregs(s);
  load(m, [0x0f, 0x0b]); // ud2
  const exit = m.cpu.run(10);
  assert.equal(exit.kind, 'shutdown');
});

test('SYSCALL and SYSRET move between CPL 0 and CPL 3', () => {
  const m = newMachine();
  longMode(m);
  m.cpu.setMsr(0xc0000081, (0x18n << 48n) | (0x08n << 32n)); // STAR: kernel CS 0x08, user base 0x18 (CS 0x2b, SS 0x23)
  m.cpu.setMsr(0xc0000082, BigInt(CODE + 0x100)); // LSTAR
  m.cpu.setMsr(0xc0000084, 0x200n); // SFMASK: IF
  // kernel: mov rcx, CODE+0x80; mov r11, 0x202; sysretq.  user (CODE+0x80): syscall.  LSTAR: hlt
  load(m, [0x48, 0xc7, 0xc1, ...le32(CODE + 0x80), 0x49, 0xc7, 0xc3, 0x02, 0x02, 0, 0, 0x48, 0x0f, 0x07]);
  load(m, [0x0f, 0x05], CODE + 0x80);
  load(m, [0xf4], CODE + 0x100);
  assert.equal(m.cpu.run(100).kind, 'hlt');
  const r = m.cpu.getRegs();
  assert.equal(r.rcx, BigInt(CODE + 0x82));
  assert.equal(r.r11 & 0x200n, 0x200n);
  assert.equal(r.rflags & 0x200n, 0n);
  assert.equal(m.cpu.getSregs().cs.selector, 0x08);
});

test('self-modifying code: a store into the next instruction is executed', () => {
  // mov byte [rip+1], 0x41 ... patch "inc eax" (FF C0) into "inc ecx" (FF C1)
  const m = exec64([0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0xc1, 0xff, 0xc0], {});
  // the store target is the byte at RIP+1 after the 7-byte store: the ModRM of the inc
  assert.equal(m.cpu.getRegs().rcx, 1n);
  assert.equal(m.cpu.getRegs().rax, 0n);
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** A view of the same RAM for building tables without changing the first machine's CPU state. */
function newMachineShared(m: TestMachine): TestMachine {
  const other = newMachine();
  return { ...other, ram: m.ram, dv: m.dv, cpu: other.cpu };
}
