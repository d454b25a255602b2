// Stack instructions: PUSH/POP (register, memory, immediate, segment), PUSHA/POPA, PUSHF/POPF,
// ENTER/LEAVE (SDM Vol. 2B PUSH, POP, PUSHA, POPA, PUSHF, POPF; Vol. 2A ENTER, LEAVE).

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { loadDataSegment } from '../descriptors';
import { AC, ID, IF, IOPL, RF, RBP, SS, STATUS_FLAGS, DF, NT, TF, TWO32, VM } from '../registers';
import { immOf } from './alu';

export function pushZ(c: CpuCore, d: DecodedInsn): void {
  const v = c.getReg(d.opReg, d.opsize, true);
  c.push(d.opsize, v, c.hi);
}

export function popZ(c: CpuCore, d: DecodedInsn): void {
  const v = c.pop(d.opsize);
  c.setReg(d.opReg, d.opsize, true, v, c.hi);
}

export function pushI(c: CpuCore, d: DecodedInsn): void {
  c.push(d.opsize, immOf(d, d.opsize), d.immHi >>> 0);
}

export function pushE(c: CpuCore, d: DecodedInsn): void {
  const v = c.readE(d, d.opsize);
  c.push(d.opsize, v, c.hi);
}

/** 8F /0: the destination address is computed after RSP is incremented (SDM Vol. 2B POP). */
export function popE(c: CpuCore, d: DecodedInsn): void {
  const v = c.peek(0, d.opsize), vh = c.hi;
  c.setRsp(c.regValue(4, c.stackSize) + d.opsize);
  c.writeE(d, d.opsize, v, vh);
}

export function pushSeg(c: CpuCore, d: DecodedInsn): void {
  c.push(d.opsize, c.seg[d.param].selector, 0);
}

export function popSeg(c: CpuCore, d: DecodedInsn): void {
  const sel = c.peek(0, d.opsize) & 0xffff;
  loadDataSegment(c, d.param, sel);
  c.setRsp(c.regValue(4, c.stackSize) + d.opsize);
  if (d.param === SS) c.interruptShadow = 2;
}

export function pusha(c: CpuCore, d: DecodedInsn): void {
  const w = d.opsize, sp = c.getReg(4, w, false);
  const base = c.regValue(4, c.stackSize);
  c.probe(c.stackLinear(base - 8 * w), 8 * w, 2);
  for (let r = 0; r < 8; r++) c.push(w, r === 4 ? sp : c.getReg(r, w, false));
}

export function popa(c: CpuCore, d: DecodedInsn): void {
  const w = d.opsize;
  const vals: number[] = [];
  for (let r = 7; r >= 0; r--) vals[r] = c.pop(w);
  for (let r = 0; r < 8; r++) if (r !== 4) c.setReg(r, w, false, vals[r], 0);
}

export function pushf(c: CpuCore, d: DecodedInsn): void {
  c.push(d.opsize, d.opsize === 2 ? c.flags & 0xffff : c.flags & ~(VM | RF));
}

/** The RFLAGS bits POPF/IRET may change at the current privilege (SDM Vol. 2B POPF, Table 4-15). */
export function flagsWritableMask(c: CpuCore): number {
  let mask = STATUS_FLAGS | TF | DF | NT | AC | ID;
  const iopl = (c.flags & IOPL) >>> 12;
  if (!c.protectedMode || c.cpl === 0) mask |= IOPL | IF;
  else if (c.cpl <= iopl) mask |= IF;
  return mask;
}

export function popf(c: CpuCore, d: DecodedInsn): void {
  let v = c.peek(0, d.opsize);
  let mask = flagsWritableMask(c);
  if (d.opsize === 2) mask &= 0xffff;
  c.setRsp(c.regValue(4, c.stackSize) + d.opsize);
  v = (c.flags & ~mask) | (v & mask) | 2;
  c.flags = v >>> 0;
}

/** ENTER imm16, imm8: builds a stack frame with `level` nested frame pointers. */
export function enter(c: CpuCore, d: DecodedInsn): void {
  const w = d.opsize, size = d.imm & 0xffff, level = d.imm2 & 31;
  const bp = c.getReg(RBP, w, false), bph = c.hi;
  c.push(w, bp, bph);
  const frame = c.regValue(4, c.stackSize);
  if (level > 0) {
    let ptr = w === 8 ? (bph | 0) * TWO32 + bp : bp;
    for (let i = 1; i < level; i++) {
      ptr -= w;
      const v = c.read(c.stackLinear(w === 8 ? ptr : w === 4 ? ptr >>> 0 : ptr & 0xffff), w), vh = c.hi;
      c.push(w, v, vh);
    }
    c.push(w, frame >>> 0, Math.floor(frame / TWO32));
  }
  c.setReg(RBP, w, false, frame >>> 0, Math.floor(frame / TWO32));
  c.setRsp(c.regValue(4, c.stackSize) - size);
}

/** LEAVE: rSP <- rBP; pop rBP. */
export function leave(c: CpuCore, d: DecodedInsn): void {
  const ss = c.stackSize;
  const bp = c.regValue(RBP, ss);
  const v = c.read(c.stackLinear(bp), d.opsize), vh = c.hi;
  c.setRsp(bp + d.opsize);
  c.setReg(RBP, d.opsize, false, v, vh);
}

