// Data movement without flags: MOV forms, MOVZX/MOVSX/MOVSXD, LEA, XCHG, BSWAP, CMOVcc, SETcc, CBW
// family, LAHF/SAHF, XLAT, and the atomic exchanges XADD/CMPXCHG/CMPXCHG8B/16B (SDM Vol. 2).
// Single-vCPU atomicity: each instruction completes before another runs on this core.

import type { CpuCore } from '../core';
import { CpuException } from '../faults';
import { NO_REG, RIP_BASE, type DecodedInsn } from '../decodedInsn';
import { AF, CF, PF, RAX, RBX, RCX, RDX, SF, VEC_GP, ZF } from '../registers';
import { add, immOf, sub } from './alu';
import { condition } from './conditions';

export function movEG(c: CpuCore, d: DecodedInsn): void {
  const v = c.getReg(d.reg, d.size, d.rex);
  c.writeE(d, d.size, v, c.hi);
}

export function movGE(c: CpuCore, d: DecodedInsn): void {
  const v = c.readE(d, d.size);
  c.setReg(d.reg, d.size, d.rex, v, c.hi);
}

export function movEI(c: CpuCore, d: DecodedInsn): void {
  c.writeE(d, d.size, immOf(d, d.size), d.immHi >>> 0);
}

/** B0+r / B8+r: the only form with a full 64-bit immediate. */
export function movZI(c: CpuCore, d: DecodedInsn): void {
  c.setReg(d.opReg, d.size, d.rex, immOf(d, d.size), d.size === 8 ? d.immHi >>> 0 : 0);
}

/** A0/A1: AL/rAX <- moffs. */
export function movAO(c: CpuCore, d: DecodedInsn): void {
  const v = c.read(c.memLinear(d), d.size);
  c.setReg(RAX, d.size, false, v, c.hi);
}

/** A2/A3: moffs <- AL/rAX. */
export function movOA(c: CpuCore, d: DecodedInsn): void {
  const v = c.getReg(RAX, d.size, false);
  c.write(c.memLinear(d), d.size, v, c.hi);
}

export function lea(c: CpuCore, d: DecodedInsn): void {
  if (d.adsize === 8) {
    // Exact 64-bit sum of the halves: LEA is also used for arithmetic on values beyond 2^53.
    const regs = c.regs, m = 1 << d.scale;
    let lo = d.disp, hi = d.moffsHi;
    if (d.base === RIP_BASE) { const next = c.rip + d.len; lo += next >>> 0; hi += Math.floor(next / 4294967296); }
    else if (d.base !== NO_REG) { lo += regs[d.base << 1]; hi += regs[(d.base << 1) + 1]; }
    if (d.index !== NO_REG) { lo += regs[d.index << 1] * m; hi += regs[(d.index << 1) + 1] * m; }
    c.setReg(d.reg, d.opsize, d.rex, d.opsize === 2 ? lo & 0xffff : lo >>> 0, d.opsize === 8 ? (hi + Math.floor(lo / 4294967296)) >>> 0 : 0);
    return;
  }
  const ea = c.effectiveAddress(d);
  c.setReg(d.reg, d.opsize, d.rex, d.opsize === 2 ? ea & 0xffff : ea >>> 0, 0);
}

/** Size of the source operand of MOVZX/MOVSX (0F B6/BE byte, B7/BF word). */
function extSrcSize(d: DecodedInsn): number {
  return (d.entry.op & 1) === 0 ? 1 : 2;
}

export function movzx(c: CpuCore, d: DecodedInsn): void {
  const v = c.readE(d, extSrcSize(d));
  c.setReg(d.reg, d.opsize, d.rex, v, 0);
}

export function movsx(c: CpuCore, d: DecodedInsn): void {
  const s = extSrcSize(d);
  const v = c.readE(d, s);
  const signed = s === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
  c.setReg(d.reg, d.opsize, d.rex, d.opsize === 4 || d.opsize === 8 ? signed >>> 0 : signed & 0xffff, signed < 0 ? 0xffffffff : 0);
}

/** 63 /r in 64-bit mode: sign-extends a dword (with REX.W; otherwise a plain 32/16-bit move). */
export function movsxd(c: CpuCore, d: DecodedInsn): void {
  const v = c.readE(d, 4);
  if (d.opsize === 8) c.setReg(d.reg, 8, d.rex, v, (v & 0x80000000) ? 0xffffffff : 0);
  else c.setReg(d.reg, d.opsize, d.rex, d.opsize === 4 ? v : v & 0xffff, 0);
}

export function xchgEG(c: CpuCore, d: DecodedInsn): void {
  const b = c.getReg(d.reg, d.size, d.rex), bh = c.hi;
  const a = c.readE(d, d.size), ah = c.hi;
  c.writeE(d, d.size, b, bh);
  c.setReg(d.reg, d.size, d.rex, a, ah);
}

/** 90+r: XCHG r, rAX; 90 without REX.B is NOP (PAUSE with F3). */
export function xchgZ(c: CpuCore, d: DecodedInsn): void {
  if (d.opReg === 0) return;
  const a = c.getReg(RAX, d.size, false), ah = c.hi;
  const b = c.getReg(d.opReg, d.size, d.rex), bh = c.hi;
  c.setReg(RAX, d.size, false, b, bh);
  c.setReg(d.opReg, d.size, d.rex, a, ah);
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** BSWAP: the 16-bit form is undefined; it clears the low word as current processors do. */
export function bswap(c: CpuCore, d: DecodedInsn): void {
  const r = d.opReg;
  if (d.opsize === 8) {
    const lo = c.regs[r << 1], hi = c.regs[(r << 1) + 1];
    c.setReg(r, 8, true, swap32(hi), swap32(lo));
  } else if (d.opsize === 4) c.setReg(r, 4, true, swap32(c.regs[r << 1]), 0);
  else c.setReg(r, 2, true, 0, 0);
}

/** CMOVcc: the source is read even when the condition is false; a 32-bit CMOV always zero-extends. */
export function cmovcc(c: CpuCore, d: DecodedInsn): void {
  const v = c.readE(d, d.size), vh = c.hi;
  if (condition(c.flags, d.param)) c.setReg(d.reg, d.size, d.rex, v, vh);
  else if (d.size === 4) c.regs[(d.reg << 1) + 1] = 0;
}

export function setcc(c: CpuCore, d: DecodedInsn): void {
  c.writeE(d, 1, condition(c.flags, d.param) ? 1 : 0, 0);
}

/** 98: CBW / CWDE / CDQE. */
export function cbw(c: CpuCore, d: DecodedInsn): void {
  const a = c.regs[0];
  if (d.opsize === 2) c.setReg(RAX, 2, false, ((a << 24) >> 24) & 0xffff, 0);
  else if (d.opsize === 4) c.setReg(RAX, 4, false, ((a << 16) >> 16) >>> 0, 0);
  else c.setReg(RAX, 8, false, a, a & 0x80000000 ? 0xffffffff : 0);
}

/** 99: CWD / CDQ / CQO. */
export function cwd(c: CpuCore, d: DecodedInsn): void {
  if (d.opsize === 2) c.setReg(RDX, 2, false, c.regs[0] & 0x8000 ? 0xffff : 0, 0);
  else if (d.opsize === 4) c.setReg(RDX, 4, false, c.regs[0] & 0x80000000 ? 0xffffffff : 0, 0);
  else {
    const s = c.regs[1] & 0x80000000 ? 0xffffffff : 0;
    c.setReg(RDX, 8, false, s, s);
  }
}

/** LAHF: AH <- SF:ZF:0:AF:0:PF:1:CF. */
export function lahf(c: CpuCore): void {
  c.setReg(4, 1, false, (c.flags & (SF | ZF | AF | PF | CF)) | 2, 0);
}

export function sahf(c: CpuCore): void {
  const ah = (c.regs[0] >>> 8) & 0xff;
  const mask = SF | ZF | AF | PF | CF;
  c.flags = (c.flags & ~mask) | (ah & mask);
}

/** XLAT: AL <- [seg:rBX + AL]. */
export function xlat(c: CpuCore, d: DecodedInsn): void {
  let ea: number;
  if (d.adsize === 8) ea = c.regValue(RBX, 8) + (c.regs[0] & 0xff);
  else ea = d.adsize === 4 ? (c.regs[6] + (c.regs[0] & 0xff)) >>> 0 : (c.regs[6] + (c.regs[0] & 0xff)) & 0xffff;
  c.setReg(RAX, 1, false, c.read(c.linear(d.seg, ea), 1), 0);
}

export function nop(): void { /* no operation */ }

/** CLFLUSH (and CLFLUSHOPT): no cache to flush, but the address is checked like a read (SDM Vol. 2A). */
export function clflush(c: CpuCore, d: DecodedInsn): void {
  c.probe(c.memLinear(d), 1, 1);
}

/** XADD: TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP. */
export function xadd(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const b = c.getReg(d.reg, size, d.rex), bh = c.hi;
  const lin = d.hasMem ? c.memLinear(d) : 0;
  const a = d.hasMem ? c.read(lin, size) : c.getReg(d.rm, size, d.rex), ah = c.hi;
  const r = add(c, size, a, ah, b, bh, 0), rh = c.hi;
  if (d.hasMem) c.write(lin, size, r, rh);
  c.setReg(d.reg, size, d.rex, a, ah);
  if (!d.hasMem) c.setReg(d.rm, size, d.rex, r, rh);
}

/** CMPXCHG: compare rAX with DEST; equal -> DEST <- SRC, else rAX <- DEST (the destination is always written). */
export function cmpxchg(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const lin = d.hasMem ? c.memLinear(d) : 0;
  const dest = d.hasMem ? c.read(lin, size) : c.getReg(d.rm, size, d.rex), desth = c.hi;
  const acc = c.getReg(RAX, size, false), acch = c.hi;
  sub(c, size, acc, acch, dest, desth, 0);
  if (c.flags & ZF) {
    const src = c.getReg(d.reg, size, d.rex), srch = c.hi;
    c.writeE(d, size, src, srch);
  } else {
    if (d.hasMem) c.write(lin, size, dest, desth);
    c.setReg(RAX, size, false, dest, desth);
  }
}

/** CMPXCHG8B / CMPXCHG16B (REX.W; 16-byte alignment required, SDM Vol. 2A). */
export function cmpxchg8b(c: CpuCore, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  const wide = d.rexW;
  const w = wide ? 8 : 4;
  if (wide && lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 2 * w, 2);
  const m0 = c.read(lin, w), m0h = c.hi, m1 = c.read(lin + w, w), m1h = c.hi;
  const a = c.getReg(RAX, w, false), ah = c.hi, dd = c.getReg(RDX, w, false), dh = c.hi;
  if (m0 === a && m1 === dd && (!wide || (m0h === ah && m1h === dh))) {
    const b = c.getReg(RBX, w, false), bh = c.hi, cc = c.getReg(RCX, w, false), ch = c.hi;
    c.write(lin, w, b, bh);
    c.write(lin + w, w, cc, ch);
    c.flags |= ZF;
  } else {
    c.write(lin, w, m0, m0h);
    c.write(lin + w, w, m1, m1h);
    c.setReg(RAX, w, false, m0, m0h);
    c.setReg(RDX, w, false, m1, m1h);
    c.flags &= ~ZF;
  }
}
