// A bare X86Cpu on a small RAM for unit tests: helpers that put it in 64-bit long mode (4-level
// paging, 4 KiB pages for the first 2 MiB and 2 MiB pages above, a flat GDT and an IDT whose
// handlers HLT), in 32-bit flat protected mode, or in real mode, and load code bytes.

import { X86Cpu, type CpuBus } from '../../../src/vmm/x86/cpu';
import { emptySegment, type KvmSegment } from '../../../src/vmm/x86/kvmState';

export const RAM_SIZE = 8 << 20;
export const PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000, GDT = 0x8000, IDT = 0x9000;
/** Exception handlers: vector v's handler is at HANDLERS + 16*v and is `mov [EXC_LOG], v; hlt`-like. */
export const HANDLERS = 0xa000;
export const CODE = 0x10000;
export const DATA = 0x20000;
export const STACK_TOP = 0x80000;

export interface TestMachine {
  cpu: X86Cpu;
  ram: Uint8Array;
  dv: DataView;
  io: { port: number; size: number; value: number }[];
}

export function newMachine(): TestMachine {
  const ram = new Uint8Array(RAM_SIZE);
  const io: TestMachine['io'] = [];
  const bus: CpuBus = {
    ram,
    ioRead: () => 0xffffffff,
    ioWrite: (port, size, value) => { io.push({ port, size, value }); },
    mmioRead: () => 0n,
    mmioWrite: () => undefined,
  };
  const cpu = new X86Cpu(bus, new Uint8Array(RAM_SIZE / 4096).fill(7));
  return { cpu, ram, dv: new DataView(ram.buffer), io };
}

function seg(selector: number, fields: Partial<KvmSegment>): KvmSegment {
  return { ...emptySegment(), selector, limit: 0xffffffff, present: 1, s: 1, g: 1, ...fields };
}

function w64(dv: DataView, at: number, v: bigint): void {
  dv.setBigUint64(at, v, true);
}

/** Builds page tables identity-mapping the first 8 MiB (PT entries U/S=1, R/W=1). */
function buildPaging(m: TestMachine): void {
  const dv = m.dv;
  w64(dv, PML4, BigInt(PDPT | 7));
  w64(dv, PDPT, BigInt(PD | 7));
  w64(dv, PD, BigInt(PT | 7));
  for (let i = 1; i < 4; i++) w64(dv, PD + i * 8, BigInt((i << 21) | 0x87));
  for (let i = 0; i < 512; i++) w64(dv, PT + i * 8, BigInt((i << 12) | 7));
}

/** GDT: 0x08 64-bit code DPL0, 0x10 data DPL0, 0x18 32-bit code DPL0, 0x23 data DPL3, 0x2b 64-bit code DPL3. */
function buildGdt(m: TestMachine): void {
  const dv = m.dv;
  w64(dv, GDT + 0x08, 0x00af9b000000ffffn);
  w64(dv, GDT + 0x10, 0x00cf93000000ffffn);
  w64(dv, GDT + 0x18, 0x00cf9b000000ffffn);
  w64(dv, GDT + 0x20, 0x00cff3000000ffffn);
  w64(dv, GDT + 0x28, 0x00affb000000ffffn);
}

/** IDT with 64-bit interrupt gates to HANDLERS + 16*v; each handler is `hlt` (F4). */
function buildIdt64(m: TestMachine): void {
  for (let v = 0; v < 32; v++) {
    const target = HANDLERS + 16 * v;
    m.dv.setUint32(IDT + v * 16, (0x08 << 16) | (target & 0xffff), true);
    m.dv.setUint32(IDT + v * 16 + 4, (target & 0xffff0000) | 0x8e00, true);
    m.ram[target] = 0xf4;
  }
}

/** Puts the CPU in 64-bit mode at CODE with paging, GDT and IDT; RSP = STACK_TOP. */
export function longMode(m: TestMachine): void {
  buildPaging(m);
  buildGdt(m);
  buildIdt64(m);
  const s = m.cpu.getSregs();
  s.cs = seg(0x08, { type: 0xb, l: 1 });
  for (const k of ['ds', 'es', 'ss', 'fs', 'gs'] as const) s[k] = seg(0x10, { type: 3, db: 1 });
  s.tr = { ...emptySegment(), type: 0xb, present: 1, limit: 0x67 };
  s.ldt = { ...emptySegment(), type: 2, present: 1, unusable: 1 };
  s.gdt = { base: BigInt(GDT), limit: 0x2f };
  s.idt = { base: BigInt(IDT), limit: 32 * 16 - 1 };
  s.cr0 = 0x80050033n; // PG WP NE ET MP PE
  s.cr3 = BigInt(PML4);
  s.cr4 = 0x6a0n;      // OSXMMEXCPT OSFXSR PGE PAE
  s.efer = 0xd01n;     // NXE LMA LME SCE
  m.cpu.setSregs(s);
  const r = m.cpu.getRegs();
  r.rip = BigInt(CODE);
  r.rsp = BigInt(STACK_TOP);
  r.rflags = 2n;
  m.cpu.setRegs(r);
}

/** 32-bit flat protected mode, paging off (the PVH entry state). */
export function protectedMode32(m: TestMachine): void {
  buildGdt(m);
  const s = m.cpu.getSregs();
  s.cs = seg(0x18, { type: 0xb, db: 1 });
  for (const k of ['ds', 'es', 'ss', 'fs', 'gs'] as const) s[k] = seg(0x10, { type: 3, db: 1 });
  s.gdt = { base: BigInt(GDT), limit: 0x2f };
  s.cr0 = 0x11n;
  m.cpu.setSregs(s);
  const r = m.cpu.getRegs();
  r.rip = BigInt(CODE);
  r.rsp = BigInt(STACK_TOP);
  m.cpu.setRegs(r);
}

/** Real mode with CS=DS=SS=0 at CODE (must be below 64 KiB for IP) -- uses 0x7c00. */
export function realMode(m: TestMachine, ip = 0x7c00): void {
  const s = m.cpu.getSregs();
  for (const k of ['cs', 'ds', 'es', 'ss', 'fs', 'gs'] as const) s[k] = { ...emptySegment(), limit: 0xffff, present: 1, s: 1, type: k === 'cs' ? 0xb : 3 };
  s.cr0 = 0x10n;
  s.idt = { base: 0n, limit: 0x3ff };
  m.cpu.setSregs(s);
  const r = m.cpu.getRegs();
  r.rip = BigInt(ip);
  r.rsp = 0x7000n;
  m.cpu.setRegs(r);
}

/** Copies code bytes to `at` (default CODE). */
export function load(m: TestMachine, bytes: number[], at = CODE): void {
  m.ram.set(bytes, at);
}

/** Runs until HLT (or another exit) and returns the exit. */
export function runToHlt(m: TestMachine, budget = 100000) {
  return m.cpu.run(budget);
}
