// Control transfer: Jcc, JMP/CALL/RET near and far, LOOP/JRCXZ, INT n/INT3/INTO, IRET(D/Q), HLT,
// and the flag instructions CLC/STC/CMC/CLD/STD/CLI/STI/CLAC/STAC (SDM Vol. 2A/2B).
// Far transfers through call gates and task switches are not supported (#GP with the selector).

import type { X86Cpu } from '../cpu';
import type { DecodedInsn } from '../decodedInsn';
import { loadCodeSegment, loadDataSegment } from '../descriptors';
import { CpuException } from '../faults';
import { InterceptExit } from '../intercept';
import { deliverEvent } from '../interrupts';
import { ACC_X } from '../mmu';
import { AC, CF, CS, DF, IF, IOPL, OF, RCX, SS, TWO32, VEC_BP, VEC_GP, VEC_OF, VEC_UD, VM, ZF } from '../registers';
import { condition } from './conditions';
import { flagsWritableMask } from './stack';

const TWO47 = 140737488355328;

/** Sets the branch target truncated to the operand size; 64-bit targets must be canonical. */
export function branchTo(c: X86Cpu, target: number, opsize: number): void {
  if (opsize === 8) {
    if (target < -TWO47 || target >= TWO47) throw new CpuException(VEC_GP, 0);
    c.nextRip = target;
  } else c.nextRip = opsize === 4 ? target >>> 0 : target & 0xffff;
}

function ripSize(d: DecodedInsn): number {
  return d.mode === 8 ? 8 : d.opsize;
}

export function jcc(c: X86Cpu, d: DecodedInsn): void {
  if (condition(c.flags, d.param)) branchTo(c, c.nextRip + d.imm, ripSize(d));
}

export function jmpNear(c: X86Cpu, d: DecodedInsn): void {
  branchTo(c, c.nextRip + d.imm, ripSize(d));
}

/** Value of a near-branch register/memory operand as an address number of `size` bytes. */
function targetOf(c: X86Cpu, d: DecodedInsn, size: number): number {
  const lo = c.readE(d, size);
  return size === 8 ? (c.hi | 0) * TWO32 + lo : lo;
}

export function jmpNearE(c: X86Cpu, d: DecodedInsn): void {
  branchTo(c, targetOf(c, d, d.opsize), d.opsize);
}

function pushReturn(c: X86Cpu, size: number): void {
  const r = c.nextRip;
  c.push(size, r >>> 0, Math.floor(r / TWO32));
}

export function callNear(c: X86Cpu, d: DecodedInsn): void {
  const size = ripSize(d);
  const target = c.nextRip + d.imm;
  pushReturn(c, size);
  branchTo(c, target, size);
}

export function callNearE(c: X86Cpu, d: DecodedInsn): void {
  const target = targetOf(c, d, d.opsize);
  pushReturn(c, d.opsize);
  branchTo(c, target, d.opsize);
}

export function retNear(c: X86Cpu, d: DecodedInsn): void {
  const size = ripSize(d);
  const lo = c.pop(size);
  const target = size === 8 ? (c.hi | 0) * TWO32 + lo : lo;
  if (d.entry.op === 0xc2) c.setRsp(c.regValue(4, c.stackSize) + (d.imm & 0xffff));
  branchTo(c, target, size);
}

/** Far JMP/CALL target: loads CS (same privilege, conforming or not) and sets RIP. */
function farTransfer(c: X86Cpu, selector: number, offset: number, opsize: number): void {
  loadCodeSegment(c, selector, undefined);
  branchTo(c, offset, c.codeSize === 8 ? 8 : opsize);
}

export function jmpFarImm(c: X86Cpu, d: DecodedInsn): void {
  farTransfer(c, d.imm2, d.imm >>> 0, d.opsize);
}

export function callFarImm(c: X86Cpu, d: DecodedInsn): void {
  c.push(d.opsize, c.seg[CS].selector);
  pushReturn(c, d.opsize);
  farTransfer(c, d.imm2, d.imm >>> 0, d.opsize);
}

/** Reads m16:16 / m16:32 / m16:64 (offset first, then the selector). */
function farPointer(c: X86Cpu, d: DecodedInsn): [number, number] {
  const lin = c.memLinear(d);
  const w = d.opsize;
  const lo = c.read(lin, w);
  const off = w === 8 ? (c.hi | 0) * TWO32 + lo : lo;
  const sel = c.read(lin + w, 2);
  return [off, sel];
}

export function jmpFarM(c: X86Cpu, d: DecodedInsn): void {
  const [off, sel] = farPointer(c, d);
  farTransfer(c, sel, off, d.opsize);
}

export function callFarM(c: X86Cpu, d: DecodedInsn): void {
  const [off, sel] = farPointer(c, d);
  c.push(d.opsize, c.seg[CS].selector);
  pushReturn(c, d.opsize);
  farTransfer(c, sel, off, d.opsize);
}

/** RETF (imm16): same privilege, or to an outer privilege popping SS:rSP too (SDM Vol. 2B RET). */
export function retFar(c: X86Cpu, d: DecodedInsn): void {
  const w = d.opsize;
  const lo = c.pop(w);
  const off = w === 8 ? (c.hi | 0) * TWO32 + lo : lo;
  const sel = c.pop(w) & 0xffff;
  const extra = d.entry.op === 0xca ? d.imm & 0xffff : 0;
  c.setRsp(c.regValue(4, c.stackSize) + extra);
  const rpl = sel & 3;
  if (c.protectedMode && !(c.flags & VM) && rpl > c.cpl) {
    const spLo = c.pop(w);
    const sp = w === 8 ? (c.hi | 0) * TWO32 + spLo : spLo;
    const ss = c.pop(w) & 0xffff;
    loadCodeSegment(c, sel, rpl);
    loadDataSegment(c, SS, ss);
    c.stackSize = c.codeSize === 8 ? 8 : c.seg[SS].db ? 4 : 2;
    c.setRsp(sp + extra);
  } else loadCodeSegment(c, sel, undefined);
  branchTo(c, off, c.codeSize === 8 ? 8 : w);
}

/** LOOP/LOOPE/LOOPNE: decrement the count register (address size) and branch. */
export function loop(c: X86Cpu, d: DecodedInsn): void {
  const a = d.adsize;
  let lo = c.regs[RCX << 1], hi = c.regs[(RCX << 1) + 1];
  if (a === 8) {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
    c.regs[RCX << 1] = lo; c.regs[(RCX << 1) + 1] = hi;
  } else if (a === 4) { lo = (lo - 1) >>> 0; c.regs[RCX << 1] = lo; hi = 0; }
  else { lo = (lo - 1) & 0xffff; c.regs[RCX << 1] = (c.regs[RCX << 1] & 0xffff0000) | lo; hi = 0; }
  const nonZero = (lo | (a === 8 ? hi : 0)) !== 0;
  const zf = (c.flags & ZF) !== 0;
  const take = d.param === 2 ? nonZero : d.param === 1 ? nonZero && zf : nonZero && !zf;
  if (take) branchTo(c, c.nextRip + d.imm, ripSize(d));
}

export function jrcxz(c: X86Cpu, d: DecodedInsn): void {
  const a = d.adsize;
  const lo = c.regs[RCX << 1];
  const zero = a === 8 ? (lo | c.regs[(RCX << 1) + 1]) === 0 : a === 4 ? lo === 0 : (lo & 0xffff) === 0;
  if (zero) branchTo(c, c.nextRip + d.imm, ripSize(d));
}

/** Delivers a software interrupt and continues at the handler. */
function softwareInterrupt(c: X86Cpu, vector: number): void {
  deliverEvent(c, vector, { software: true, returnRip: c.nextRip });
  c.nextRip = c.rip;
}

/** INT3: a 'breakpoint' exit when intercepted (KVMI BREAKPOINT), else #BP to the guest. */
export function int3(c: X86Cpu, d: DecodedInsn): void {
  if (c.intercepts.breakpoint) {
    const lin = c.codeSize === 8 ? c.rip : (c.seg[CS].base + c.rip) >>> 0;
    const gpa = c.translateLinear(lin, ACC_X);
    throw new InterceptExit({ kind: 'breakpoint', gpa: BigInt(gpa), insnLen: d.len });
  }
  softwareInterrupt(c, VEC_BP);
}

export function intN(c: X86Cpu, d: DecodedInsn): void {
  softwareInterrupt(c, d.imm & 0xff);
}

export function into(c: X86Cpu): void {
  if (c.flags & OF) softwareInterrupt(c, VEC_OF);
}

/** IRET/IRETD/IRETQ: real mode, same privilege, return to outer privilege, and the 64-bit form. */
export function iret(c: X86Cpu, d: DecodedInsn): void {
  const w = d.opsize;
  if (!c.protectedMode) {
    const ip = c.pop(w), cs = c.pop(w) & 0xffff, fl = c.pop(w);
    c.seg[CS].loadReal(cs);
    setFlagsFromIret(c, fl, w);
    c.nextRip = w === 4 ? ip : ip & 0xffff;
    return;
  }
  if (c.flags & 0x4000 && !c.longMode) throw new CpuException(VEC_GP, 0); // NT: task return unsupported
  const ipLo = c.pop(w);
  const ip = w === 8 ? (c.hi | 0) * TWO32 + ipLo : ipLo;
  const cs = c.pop(w) & 0xffff;
  const fl = c.pop(w);
  const rpl = cs & 3;
  const long = c.codeSize === 8;
  if (long || rpl > c.cpl) {
    const spLo = c.pop(w);
    const sp = w === 8 ? (c.hi | 0) * TWO32 + spLo : spLo;
    const ss = c.pop(w) & 0xffff;
    const oldCpl = c.cpl;
    setFlagsFromIret(c, fl, w);
    loadCodeSegment(c, cs, rpl);
    if (c.codeSize === 8 && (ss & 0xfffc) === 0 && rpl < 3) {
      c.seg[SS].loadNull(ss);
      c.seg[SS].dpl = rpl;
    } else loadDataSegment(c, SS, ss);
    c.stackSize = c.codeSize === 8 ? 8 : c.seg[SS].db ? 4 : 2;
    c.setRsp(sp);
    if (rpl > oldCpl) for (const s of [0, 3, 4, 5]) nullIfPrivileged(c, s);
  } else {
    setFlagsFromIret(c, fl, w);
    loadCodeSegment(c, cs, undefined);
  }
  branchTo(c, ip, c.codeSize === 8 ? 8 : w);
}

/** On a return to an outer privilege, data segments the new CPL may not use become null (SDM IRET). */
function nullIfPrivileged(c: X86Cpu, s: number): void {
  const seg = c.seg[s];
  const conformingCode = seg.s && (seg.type & 0xc) === 0xc;
  if (!seg.unusable && !conformingCode && seg.dpl < c.cpl) seg.loadNull(0);
}

function setFlagsFromIret(c: X86Cpu, v: number, w: number): void {
  let mask = flagsWritableMask(c) | 0x10000; // RF
  if (w === 2) mask &= 0xffff;
  c.flags = ((c.flags & ~mask) | (v & mask) | 2) >>> 0;
}

/** HLT: privileged; the vCPU waits for an interrupt (run() returns 'hlt'). */
export function hlt(c: X86Cpu): void {
  if (c.cpl !== 0) throw new CpuException(VEC_GP, 0);
  c.halted = true;
}

/** CMC, CLC, STC, CLD, STD, CLAC, STAC (param 0..6). */
export function flagOp(c: X86Cpu, d: DecodedInsn): void {
  switch (d.param) {
    case 0: c.flags ^= CF; break;
    case 1: c.flags &= ~CF; break;
    case 2: c.flags |= CF; break;
    case 3: c.flags &= ~DF; break;
    case 4: c.flags |= DF; break;
    // CLAC/STAC: #UD outside CPL 0 (SMAP is not advertised; at CPL 0 they still work).
    case 5: if (c.cpl !== 0) throw new CpuException(VEC_UD); c.flags &= ~AC; break;
    default: if (c.cpl !== 0) throw new CpuException(VEC_UD); c.flags |= AC; break;
  }
}

function checkIopl(c: X86Cpu): void {
  if (c.protectedMode && c.cpl > ((c.flags & IOPL) >>> 12)) throw new CpuException(VEC_GP, 0);
}

export function cli(c: X86Cpu): void {
  checkIopl(c);
  c.flags &= ~IF;
}

/** STI: interrupts stay inhibited until after the next instruction (SDM Vol. 2B STI). */
export function sti(c: X86Cpu): void {
  checkIopl(c);
  if (!(c.flags & IF)) c.interruptShadow = 2;
  c.flags |= IF;
}
