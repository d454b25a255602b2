// System instructions: segment-register moves and far-pointer loads, descriptor-table instructions
// (LGDT/LIDT/LLDT/LTR/SGDT/SIDT/SLDT/STR), MOV CRn/DRn, RDMSR/WRMSR, RDTSC/RDTSCP, SWAPGS, SYSCALL/
// SYSRET, SYSENTER/SYSEXIT, XGETBV/XSETBV, VMCALL/VMMCALL, CLTS, INVLPG, INVD/WBINVD, SMSW/LMSW, UD2
// (SDM Vol. 2, Vol. 3A 2.5, 5.8.7-5.8.8). KVMI intercepts (cr, msr, descriptor, xsetbv, hypercall)
// raise their exit before the instruction changes anything (see intercept.ts).

import type { X86Cpu } from '../cpu';
import { u64 } from '../cpuState';
import type { DecodedInsn } from '../decodedInsn';
import { loadDataSegment, readDescriptor } from '../descriptors';
import { CpuException } from '../faults';
import { InterceptExit } from '../intercept';
import {
  CR0_CD, CR0_ET, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR4_OSXSAVE, CR4_PAE, CR4_PGE, CR4_PSE, CS, EFER_LMA,
  EFER_LME, EFER_SCE, GS, IF, LDTR, RAX, RCX, RDX, RF, SS, TR, TWO32, VEC_GP, VEC_UD, VM, R11,
} from '../registers';

function requireCpl0(c: X86Cpu): void {
  if (c.cpl !== 0) throw new CpuException(VEC_GP, 0);
}

function requireProtected(c: X86Cpu): void {
  if (!c.protectedMode || c.flags & VM) throw new CpuException(VEC_UD);
}

/** Raises the KVMI DESCRIPTOR exit unless this execution was already answered with CONTINUE. */
function descriptorEvent(c: X86Cpu, descriptor: 1 | 2 | 3 | 4, write: boolean): void {
  if (!c.intercepts.descriptor) return;
  if (c.answered?.exit.kind === 'descriptor') return;
  throw new InterceptExit({ kind: 'descriptor', descriptor, write });
}

// ---- segment registers ----
/** 8C: MOV r/m, Sreg (a register destination is zero-extended to the operand size). */
export function movES(c: X86Cpu, d: DecodedInsn): void {
  if (d.reg > 5) throw new CpuException(VEC_UD);
  const sel = c.seg[d.reg].selector;
  if (d.hasMem) c.write(c.memLinear(d), 2, sel, 0);
  else c.setReg(d.rm, d.opsize, true, sel, 0);
}

/** 8E: MOV Sreg, r/m (CS is not a valid destination). */
export function movSE(c: X86Cpu, d: DecodedInsn): void {
  if (d.reg > 5 || d.reg === CS) throw new CpuException(VEC_UD);
  const sel = c.readE(d, 2);
  loadDataSegment(c, d.reg, sel);
  if (d.reg === SS) c.interruptShadow = 2;
}

/** LSS/LFS/LGS: load a far pointer into Sreg:r. */
export function loadFarPtr(c: X86Cpu, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  const w = d.opsize;
  const off = c.read(lin, w), offHi = c.hi;
  const sel = c.read(lin + w, 2);
  loadDataSegment(c, d.param, sel);
  c.setReg(d.reg, w, d.rex, off, offHi);
}

// ---- descriptor tables ----
export function sldt(c: X86Cpu, d: DecodedInsn): void {
  requireProtected(c);
  descriptorEvent(c, 3, false);
  storeSelector(c, d, c.seg[LDTR].selector);
}

export function str(c: X86Cpu, d: DecodedInsn): void {
  requireProtected(c);
  descriptorEvent(c, 4, false);
  storeSelector(c, d, c.seg[TR].selector);
}

function storeSelector(c: X86Cpu, d: DecodedInsn, sel: number): void {
  if (d.hasMem) c.write(c.memLinear(d), 2, sel, 0);
  else c.setReg(d.rm, d.opsize, true, sel, 0);
}

/** Reads a system-segment descriptor (LDT or TSS); 16 bytes in long mode (SDM Vol. 3A 7.2.3). */
function systemDescriptor(c: X86Cpu, sel: number): [number, number, number, number] {
  if (sel & 4) throw new CpuException(VEC_GP, sel & 0xfffc);
  const [lo, hi, lin] = readDescriptor(c, sel);
  const baseHi = c.longMode ? c.readSystem(lin + 8, 4) : 0;
  return [lo, hi, lin, baseHi];
}

export function lldt(c: X86Cpu, d: DecodedInsn): void {
  requireProtected(c);
  requireCpl0(c);
  const sel = c.readE(d, 2);
  descriptorEvent(c, 3, true);
  const ldtr = c.seg[LDTR];
  c.saveSegments();
  if ((sel & 0xfffc) === 0) { ldtr.loadNull(sel); return; }
  const [lo, hi, , baseHi] = systemDescriptor(c, sel);
  if (((hi >>> 8) & 0x1f) !== 0x02) throw new CpuException(VEC_GP, sel & 0xfffc);
  if (!(hi & 0x8000)) throw new CpuException(11, sel & 0xfffc);
  ldtr.loadDescriptor(sel, lo, hi);
  ldtr.base = (baseHi | 0) * TWO32 + ldtr.base;
}

export function ltr(c: X86Cpu, d: DecodedInsn): void {
  requireProtected(c);
  requireCpl0(c);
  const sel = c.readE(d, 2);
  descriptorEvent(c, 4, true);
  if ((sel & 0xfffc) === 0) throw new CpuException(VEC_GP, 0);
  const [lo, hi, lin, baseHi] = systemDescriptor(c, sel);
  const type = (hi >>> 8) & 0x1f;
  if (type !== 0x09 && type !== 0x01) throw new CpuException(VEC_GP, sel & 0xfffc);
  if (!(hi & 0x8000)) throw new CpuException(11, sel & 0xfffc);
  const busy = (hi | 0x200) >>> 0;
  c.writeSystem(lin + 4, 4, busy);
  c.saveSegments();
  const tr = c.seg[TR];
  tr.loadDescriptor(sel, lo, busy);
  tr.base = (baseHi | 0) * TWO32 + tr.base;
}

/** SGDT/SIDT (param 2 = GDTR, 1 = IDTR): limit then a 32-bit (64-bit in 64-bit mode) base. */
export function sdt(c: X86Cpu, d: DecodedInsn): void {
  const gdt = d.param === 2;
  descriptorEvent(c, gdt ? 2 : 1, false);
  const lin = c.memLinear(d);
  const base = gdt ? c.gdtBase : c.idtBase, limit = gdt ? c.gdtLimit : c.idtLimit;
  c.probe(lin, c.codeSize === 8 ? 10 : 6, 2);
  c.write(lin, 2, limit, 0);
  if (c.codeSize === 8) c.write(lin + 2, 8, base >>> 0, Math.floor(base / TWO32));
  else c.write(lin + 2, 4, base >>> 0, 0);
}

/** LGDT/LIDT: 24-bit base with a 16-bit operand size, 32-bit otherwise, 64-bit in 64-bit mode. */
export function ldt(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const gdt = d.param === 2;
  descriptorEvent(c, gdt ? 2 : 1, true);
  const lin = c.memLinear(d);
  const limit = c.read(lin, 2);
  let base: number;
  if (c.codeSize === 8) {
    const lo = c.read(lin + 2, 8);
    base = (c.hi | 0) * TWO32 + lo;
    if (base < -(2 ** 47) || base >= 2 ** 47) throw new CpuException(VEC_GP, 0);
  } else {
    base = c.read(lin + 2, 4);
    if (d.opsize === 2) base &= 0xffffff;
  }
  if (gdt) { c.gdtBase = base; c.gdtLimit = limit; } else { c.idtBase = base; c.idtLimit = limit; }
}

export function smsw(c: X86Cpu, d: DecodedInsn): void {
  if (d.hasMem) c.write(c.memLinear(d), 2, c.cr0 & 0xffff, 0);
  else c.setReg(d.rm, d.opsize, true, c.cr0 >>> 0, 0);
}

/** LMSW: loads PE, MP, EM, TS; cannot clear PE (SDM Vol. 2A LMSW). */
export function lmsw(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const v = c.readE(d, 2);
  writeCr(c, 0, ((c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & CR0_PE)) >>> 0, 0);
}

export function invlpg(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  c.flushTlbPage(c.memLinear(d));
}

export function clts(c: X86Cpu): void {
  requireCpl0(c);
  c.cr0 &= ~CR0_TS;
}

export function cacheOp(c: X86Cpu): void {
  requireCpl0(c);
}

export function ud2(): void {
  throw new CpuException(VEC_UD);
}

// ---- control and debug registers ----
const CR4_SUPPORTED = 0x7ff | (1 << 18);

function crValue(c: X86Cpu, n: number): number {
  switch (n) {
    case 0: return c.cr0;
    case 2: return c.cr2;
    case 3: return c.cr3;
    case 4: return c.cr4;
    case 8: return c.cr8;
    default: throw new CpuException(VEC_UD);
  }
}

/** MOV r, CRn. */
export function movRC(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const v = crValue(c, d.reg);
  if (c.codeSize === 8) c.setReg(d.rm, 8, true, v >>> 0, Math.floor(v / TWO32));
  else c.setReg(d.rm, 4, true, v >>> 0, 0);
}

/** MOV CRn, r: validates, raises the KVMI CR event for watched CRs, applies side effects. */
export function movCR(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const lo = c.getReg(d.rm, c.codeSize === 8 ? 8 : 4, true);
  const hi = c.codeSize === 8 ? c.hi : 0;
  crValue(c, d.reg);
  writeCr(c, d.reg, lo, hi);
}

/** Applies a CR write with the architectural checks (SDM Vol. 3A 2.5, 10.8.5 for IA-32e activation). */
export function writeCr(c: X86Cpu, n: number, lo: number, hi: number): void {
  let value = hi * TWO32 + lo;
  const old = crValue(c, n);
  if ((n === 0 || n === 3 || n === 4) && c.intercepts.crWrite.has(n) && value !== old) {
    const ans = c.answered;
    if (ans?.exit.kind === 'cr' && ans.exit.cr === n) {
      value = Number(ans.newValue ?? ans.exit.newValue);
      lo = value >>> 0;
      hi = Math.floor(value / TWO32);
    } else {
      throw new InterceptExit({ kind: 'cr', cr: n, oldValue: u64(old), newValue: u64(value) });
    }
  }
  switch (n) {
    case 0: {
      if (hi !== 0) throw new CpuException(VEC_GP, 0);
      const v = (lo | CR0_ET) >>> 0;
      if ((v & CR0_PG && !(v & CR0_PE)) || (v & CR0_NW && !(v & CR0_CD))) throw new CpuException(VEC_GP, 0);
      const enablingPaging = v & CR0_PG && !(c.cr0 & CR0_PG);
      if (enablingPaging && c.efer & EFER_LME) {
        if (!(c.cr4 & CR4_PAE)) throw new CpuException(VEC_GP, 0);
        c.efer |= EFER_LMA;
      }
      if (!(v & CR0_PG) && c.cr0 & CR0_PG && c.longMode) {
        if (c.codeSize === 8) throw new CpuException(VEC_GP, 0);
        c.efer &= ~EFER_LMA;
      }
      if ((v ^ c.cr0) & (CR0_PG | CR0_WP | CR0_PE)) c.flushTlb();
      c.cr0 = v;
      c.updateModes();
      return;
    }
    case 2: c.cr2 = value; return;
    case 3: c.cr3 = (hi & 0xfffff) * TWO32 + lo; c.flushTlb(); return;
    case 4: {
      if (hi !== 0 || lo & ~CR4_SUPPORTED) throw new CpuException(VEC_GP, 0);
      if (c.longMode && !(lo & CR4_PAE)) throw new CpuException(VEC_GP, 0);
      if ((lo ^ c.cr4) & (CR4_PAE | CR4_PGE | CR4_PSE)) c.flushTlb();
      c.cr4 = lo >>> 0;
      return;
    }
    default: c.cr8 = lo & 15; return;
  }
}

function drIndex(c: X86Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if (c.cr4 & 8) throw new CpuException(VEC_UD); // CR4.DE
    return n + 2;
  }
  if (n > 7) throw new CpuException(VEC_UD);
  return n;
}

/** MOV r, DRn (debug registers are stored; hardware breakpoints are not implemented). */
export function movRD(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const v = c.dr[drIndex(c, d.reg)];
  c.setReg(d.rm, c.codeSize === 8 ? 8 : 4, true, Number(v & 0xffffffffn), Number(v >> 32n));
}

export function movDR(c: X86Cpu, d: DecodedInsn): void {
  requireCpl0(c);
  const size = c.codeSize === 8 ? 8 : 4;
  const lo = c.getReg(d.rm, size, true), hi = size === 8 ? c.hi : 0;
  c.dr[drIndex(c, d.reg)] = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

// ---- MSRs, TSC ----
export function rdmsr(c: X86Cpu): void {
  requireCpl0(c);
  const v = c.getMsr(c.regs[RCX << 1]);
  if (v === undefined) throw new CpuException(VEC_GP, 0);
  c.setReg(RAX, 4, false, Number(v & 0xffffffffn), 0);
  c.setReg(RDX, 4, false, Number(v >> 32n), 0);
}

export function wrmsr(c: X86Cpu): void {
  requireCpl0(c);
  const index = c.regs[RCX << 1];
  let value = (BigInt(c.regs[RDX << 1]) << 32n) | BigInt(c.regs[RAX << 1]);
  if (c.intercepts.msrWrite.has(index)) {
    const old = c.getMsr(index);
    if (old !== undefined && old !== value) {
      const ans = c.answered;
      if (ans?.exit.kind === 'msr' && ans.exit.msr === index) value = ans.newValue ?? ans.exit.newValue;
      else throw new InterceptExit({ kind: 'msr', msr: index, oldValue: old, newValue: value });
    }
  }
  if (!c.state.setMsr(index, value, false)) throw new CpuException(VEC_GP, 0);
}

function tsc(c: X86Cpu): bigint {
  return c.getMsr(0x10) ?? 0n;
}

export function rdtsc(c: X86Cpu): void {
  if (c.cr4 & 4 && c.cpl !== 0) throw new CpuException(VEC_GP, 0); // CR4.TSD
  const t = tsc(c);
  c.setReg(RAX, 4, false, Number(t & 0xffffffffn), 0);
  c.setReg(RDX, 4, false, Number((t >> 32n) & 0xffffffffn), 0);
}

export function rdtscp(c: X86Cpu): void {
  rdtsc(c);
  c.setReg(RCX, 4, false, Number(c.msr.tscAux), 0);
}

export function swapgs(c: X86Cpu): void {
  requireCpl0(c);
  c.saveSegments();
  const gs = c.seg[GS].base;
  c.seg[GS].base = Number(BigInt.asIntN(64, c.msr.kernelGsBase));
  c.msr.kernelGsBase = u64(gs);
}

// ---- fast system calls ----
/** Loads a flat code or stack segment as SYSCALL/SYSRET/SYSENTER/SYSEXIT do (no descriptor read). */
function flatSegment(c: X86Cpu, s: number, selector: number, dpl: number, code: boolean, long: boolean): void {
  c.saveSegments();
  const seg = c.seg[s];
  seg.selector = selector; seg.base = 0; seg.limit = 0xffffffff; seg.g = 1; seg.s = 1; seg.present = 1;
  seg.dpl = dpl; seg.unusable = 0; seg.avl = 0;
  seg.type = code ? 0xb : 0x3;
  seg.l = code && long ? 1 : 0;
  seg.db = code && long ? 0 : 1;
}

/** SYSCALL (SDM Vol. 2B): RCX <- RIP, R11 <- RFLAGS, CS/SS from STAR[47:32], RIP <- LSTAR/CSTAR. */
export function syscall(c: X86Cpu): void {
  if (!(c.efer & EFER_SCE)) throw new CpuException(VEC_UD);
  const star = c.msr.star;
  const sel = Number((star >> 32n) & 0xffffn);
  if (c.longMode) {
    const next = c.nextRip;
    c.setReg(RCX, 8, false, next >>> 0, Math.floor(next / TWO32));
    c.setReg(R11, 8, false, c.flags & ~RF, 0);
    const target = Number(BigInt.asIntN(64, c.codeSize === 8 ? c.msr.lstar : c.msr.cstar));
    c.flags = (c.flags & ~Number(c.msr.sfmask) & ~RF) | 2;
    flatSegment(c, CS, sel & 0xfffc, 0, true, true);
    flatSegment(c, SS, (sel + 8) & 0xfffc, 0, false, false);
    c.updateModes();
    c.nextRip = target;
  } else {
    c.setReg(RCX, 4, false, c.nextRip >>> 0, 0);
    c.flags &= ~(VM | IF | RF);
    flatSegment(c, CS, sel & 0xfffc, 0, true, false);
    flatSegment(c, SS, (sel + 8) & 0xfffc, 0, false, false);
    c.updateModes();
    c.nextRip = Number(star & 0xffffffffn);
  }
}

/** SYSRET: back to CPL 3 (64-bit with REX.W, else compatibility mode); RFLAGS <- R11. */
export function sysret(c: X86Cpu, d: DecodedInsn): void {
  if (!(c.efer & EFER_SCE)) throw new CpuException(VEC_UD);
  requireProtected(c);
  requireCpl0(c);
  const sel = Number((c.msr.star >> 48n) & 0xffffn);
  if (c.longMode) {
    const wide = d.rexW;
    const target = wide ? c.regValue(RCX, 8) : c.regs[RCX << 1];
    if (wide && (target < -(2 ** 47) || target >= 2 ** 47)) throw new CpuException(VEC_GP, 0);
    c.flags = ((c.regs[R11 << 1] & 0x3c7fd7) | 2) >>> 0;
    flatSegment(c, CS, ((wide ? sel + 16 : sel) & 0xfffc) | 3, 3, true, wide);
    flatSegment(c, SS, ((sel + 8) & 0xfffc) | 3, 3, false, false);
    c.updateModes();
    c.nextRip = target;
  } else {
    c.flags |= IF;
    flatSegment(c, CS, (sel & 0xfffc) | 3, 3, true, false);
    flatSegment(c, SS, ((sel + 8) & 0xfffc) | 3, 3, false, false);
    c.updateModes();
    c.nextRip = c.regs[RCX << 1];
  }
}

export function sysenter(c: X86Cpu): void {
  requireProtected(c);
  const cs = Number(c.msr.sysenterCs & 0xfffcn);
  if (cs === 0) throw new CpuException(VEC_GP, 0);
  const long = c.longMode;
  c.flags &= ~(VM | IF | RF);
  flatSegment(c, CS, cs, 0, true, long);
  flatSegment(c, SS, cs + 8, 0, false, false);
  c.updateModes();
  const esp = Number(BigInt.asIntN(64, c.msr.sysenterEsp)), eip = Number(BigInt.asIntN(64, c.msr.sysenterEip));
  c.setRsp(long ? esp : esp >>> 0);
  c.nextRip = long ? eip : eip >>> 0;
}

export function sysexit(c: X86Cpu, d: DecodedInsn): void {
  requireProtected(c);
  requireCpl0(c);
  const base = Number(c.msr.sysenterCs & 0xfffcn);
  if (base === 0) throw new CpuException(VEC_GP, 0);
  const wide = d.rexW;
  flatSegment(c, CS, (wide ? base + 32 : base + 16) | 3, 3, true, wide);
  flatSegment(c, SS, (wide ? base + 40 : base + 24) | 3, 3, false, false);
  c.updateModes();
  if (wide) {
    c.setRsp(c.regValue(RCX, 8));
    c.nextRip = c.regValue(RDX, 8);
  } else {
    c.setRsp(c.regs[RCX << 1]);
    c.nextRip = c.regs[RDX << 1];
  }
}

// ---- XCR0 and hypercalls ----
export function xgetbv(c: X86Cpu): void {
  if (!(c.cr4 & CR4_OSXSAVE)) throw new CpuException(VEC_UD);
  if (c.regs[RCX << 1] !== 0) throw new CpuException(VEC_GP, 0);
  c.setReg(RAX, 4, false, c.xcr0, 0);
  c.setReg(RDX, 4, false, 0, 0);
}

/**
 * XSETBV: XCR0 must keep x87 and may add SSE; other components are not supported (#GP). With the
 * KVMI XSETBV intercept a write that changes XCR0 raises the event after XCR0 took the new value,
 * with RIP still at the instruction, as KVM's __kvm_set_xcr() does (kvmi-protocol.md 4.3: the event
 * is informative, the tool cannot veto the value); rewriting the current value raises nothing.
 */
export function xsetbv(c: X86Cpu): void {
  if (!(c.cr4 & CR4_OSXSAVE)) throw new CpuException(VEC_UD);
  requireCpl0(c);
  if (c.regs[RCX << 1] !== 0) throw new CpuException(VEC_GP, 0);
  const lo = c.regs[RAX << 1], hi = c.regs[RDX << 1];
  if (hi !== 0 || (lo & ~3) || !(lo & 1)) throw new CpuException(VEC_GP, 0);
  const old = c.xcr0;
  c.xcr0 = lo;
  if (c.intercepts.xsetbv && old !== lo && c.answered?.exit.kind !== 'xsetbv') {
    throw new InterceptExit({ kind: 'xsetbv', xcr: 0, oldValue: BigInt(old), newValue: BigInt(lo) });
  }
}

/** -KVM_ENOSYS, returned by a hypercall nobody handles. */
const KVM_ENOSYS = 1000;

/** VMCALL/VMMCALL: a 'hypercall' exit when intercepted; CONTINUE returns 0 in RAX. */
export function hypercall(c: X86Cpu): void {
  if (c.intercepts.hypercall) {
    if (c.answered?.exit.kind !== 'hypercall') throw new InterceptExit({ kind: 'hypercall' });
    c.setReg(RAX, 8, false, 0, 0);
    return;
  }
  const v = -KVM_ENOSYS;
  c.setReg(RAX, 8, false, v >>> 0, 0xffffffff);
}

