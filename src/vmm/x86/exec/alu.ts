// Integer arithmetic and logic with exact status flags (SDM Vol. 1 3.4.3, Vol. 2 ADD/ADC/SUB/SBB/
// CMP/AND/OR/XOR/TEST/INC/DEC/NEG/NOT). Operands are unsigned numbers; 64-bit operands are (lo, hi)
// pairs and the high half of a 64-bit result is left in core.hi.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { AF, CF, OF, RAX, STATUS_FLAGS } from '../registers';
import { sizeMask } from '../core';

/** ADD/ADC: a + b + carryIn. */
export function add(c: CpuCore, size: number, a: number, ah: number, b: number, bh: number, cin: number): number {
  if (size === 8) {
    const lo = a + b + cin;
    const res = lo >>> 0;
    const hs = ah + bh + (lo > 0xffffffff ? 1 : 0);
    const hr = hs >>> 0;
    c.flags = (c.flags & ~STATUS_FLAGS) | (hs > 0xffffffff ? CF : 0) | ((a ^ b ^ res) & AF)
      | (((ah ^ hr) & (bh ^ hr)) & 0x80000000 ? OF : 0) | c.szp(8, res, hr);
    c.hi = hr;
    return res;
  }
  const m = sizeMask(size);
  const r = a + b + cin;
  const res = size === 4 ? r >>> 0 : r & m;
  const sb = size === 4 ? 0x80000000 : (m + 1) >>> 1;
  c.flags = (c.flags & ~STATUS_FLAGS) | (r > m ? CF : 0) | ((a ^ b ^ res) & AF)
    | ((a ^ res) & (b ^ res) & sb ? OF : 0) | c.szp(size, res, 0);
  c.hi = 0;
  return res;
}

/** SUB/SBB/CMP: a - b - borrowIn. */
export function sub(c: CpuCore, size: number, a: number, ah: number, b: number, bh: number, bin: number): number {
  if (size === 8) {
    const lo = a - b - bin;
    const res = lo >>> 0;
    const hd = ah - bh - (lo < 0 ? 1 : 0);
    const hr = hd >>> 0;
    c.flags = (c.flags & ~STATUS_FLAGS) | (hd < 0 ? CF : 0) | ((a ^ b ^ res) & AF)
      | (((ah ^ bh) & (ah ^ hr)) & 0x80000000 ? OF : 0) | c.szp(8, res, hr);
    c.hi = hr;
    return res;
  }
  const m = sizeMask(size);
  const r = a - b - bin;
  const res = size === 4 ? r >>> 0 : r & m;
  const sb = size === 4 ? 0x80000000 : (m + 1) >>> 1;
  c.flags = (c.flags & ~STATUS_FLAGS) | (r < 0 ? CF : 0) | ((a ^ b ^ res) & AF)
    | ((a ^ b) & (a ^ res) & sb ? OF : 0) | c.szp(size, res, 0);
  c.hi = 0;
  return res;
}

/** AND/OR/XOR/TEST flags: CF=OF=0, AF undefined (cleared here), SF/ZF/PF from the result. */
export function logicFlags(c: CpuCore, size: number, res: number, resHi: number): void {
  c.flags = (c.flags & ~STATUS_FLAGS) | c.szp(size, res, resHi);
}

/** Applies ALU operation `op` (ALU_OPS order); returns the result (hi in c.hi). */
export function alu(c: CpuCore, op: number, size: number, a: number, ah: number, b: number, bh: number): number {
  switch (op) {
    case 0: return add(c, size, a, ah, b, bh, 0);
    case 2: return add(c, size, a, ah, b, bh, c.flags & CF);
    case 3: return sub(c, size, a, ah, b, bh, c.flags & CF);
    case 5: case 7: return sub(c, size, a, ah, b, bh, 0);
    default: {
      let r: number, h: number;
      if (op === 1) { r = (a | b) >>> 0; h = (ah | bh) >>> 0; }
      else if (op === 4) { r = (a & b) >>> 0; h = (ah & bh) >>> 0; }
      else { r = (a ^ b) >>> 0; h = (ah ^ bh) >>> 0; }
      if (size !== 8) h = 0;
      logicFlags(c, size, r, h);
      c.hi = h;
      return r;
    }
  }
}

/** Immediate of the instruction truncated to `size` (lo); its high half for 8 is immHiOf(). */
export function immOf(d: DecodedInsn, size: number): number {
  return size === 8 ? d.imm >>> 0 : size === 4 ? d.imm >>> 0 : d.imm & sizeMask(size);
}

function rmw(c: CpuCore, d: DecodedInsn, op: number, b: number, bh: number): void {
  const size = d.size;
  if (d.hasMem) {
    const lin = c.memLinear(d);
    const a = c.read(lin, size), ah = c.hi;
    const r = alu(c, op, size, a, ah, b, bh);
    if (op !== 7) c.write(lin, size, r, c.hi);
    return;
  }
  const a = c.getReg(d.rm, size, d.rex), ah = c.hi;
  const r = alu(c, op, size, a, ah, b, bh);
  if (op !== 7) c.setReg(d.rm, size, d.rex, r, c.hi);
}

/** Register-register op for 32/64-bit operands without the generic operand helpers (hot path). */
function aluRegReg(c: CpuCore, op: number, size: number, dst: number, src: number): void {
  const regs = c.regs;
  const di = dst << 1, si = src << 1;
  const r = alu(c, op, size, regs[di], regs[di + 1], regs[si], regs[si + 1]);
  if (op === 7) return;
  regs[di] = r;
  regs[di + 1] = size === 8 ? c.hi : 0;
}

/** op E, G (00, 01, 08, ...). A fault restores flags and registers (the run loop's snapshot). */
export function aluEG(c: CpuCore, d: DecodedInsn): void {
  if (!d.hasMem && d.size >= 4) { aluRegReg(c, d.param, d.size, d.rm, d.reg); return; }
  const b = c.getReg(d.reg, d.size, d.rex), bh = c.hi;
  rmw(c, d, d.param, b, bh);
}

/** op G, E (02, 03, ...). */
export function aluGE(c: CpuCore, d: DecodedInsn): void {
  if (!d.hasMem && d.size >= 4) { aluRegReg(c, d.param, d.size, d.reg, d.rm); return; }
  const size = d.size;
  const b = c.readE(d, size), bh = c.hi;
  const a = c.getReg(d.reg, size, d.rex), ah = c.hi;
  const r = alu(c, d.param, size, a, ah, b, bh);
  if (d.param !== 7) c.setReg(d.reg, size, d.rex, r, c.hi);
}

/** op AL/rAX, imm (04, 05, ...). */
export function aluAI(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const a = c.getReg(RAX, size, false), ah = c.hi;
  const r = alu(c, d.param, size, a, ah, immOf(d, size), d.immHi >>> 0);
  if (d.param !== 7) c.setReg(RAX, size, false, r, c.hi);
}

/** Group 1: op E, imm (80, 81, 83). */
export function aluEI(c: CpuCore, d: DecodedInsn): void {
  rmw(c, d, d.param, immOf(d, d.size), d.immHi >>> 0);
}

export function testEG(c: CpuCore, d: DecodedInsn): void {
  const a = c.readE(d, d.size), ah = c.hi;
  const b = c.getReg(d.reg, d.size, d.rex), bh = c.hi;
  alu(c, 4, d.size, a, ah, b, bh);
}

export function testEI(c: CpuCore, d: DecodedInsn): void {
  const a = c.readE(d, d.size), ah = c.hi;
  alu(c, 4, d.size, a, ah, immOf(d, d.size), d.immHi >>> 0);
}

export function testAI(c: CpuCore, d: DecodedInsn): void {
  const a = c.getReg(RAX, d.size, false), ah = c.hi;
  alu(c, 4, d.size, a, ah, immOf(d, d.size), d.immHi >>> 0);
}

/** INC/DEC keep CF (SDM Vol. 2A INC). */
function incDec(c: CpuCore, size: number, a: number, ah: number, dec: boolean): number {
  const cf = c.flags & CF;
  const r = dec ? sub(c, size, a, ah, 1, 0, 0) : add(c, size, a, ah, 1, 0, 0);
  c.flags = (c.flags & ~CF) | cf;
  return r;
}

function incDecE(c: CpuCore, d: DecodedInsn, dec: boolean): void {
  if (d.hasMem) {
    const lin = c.memLinear(d);
    const a = c.read(lin, d.size), ah = c.hi;
    const r = incDec(c, d.size, a, ah, dec);
    c.write(lin, d.size, r, c.hi);
  } else {
    const a = c.getReg(d.rm, d.size, d.rex), ah = c.hi;
    const r = incDec(c, d.size, a, ah, dec);
    c.setReg(d.rm, d.size, d.rex, r, c.hi);
  }
}

export function incE(c: CpuCore, d: DecodedInsn): void { incDecE(c, d, false); }
export function decE(c: CpuCore, d: DecodedInsn): void { incDecE(c, d, true); }

/** 40+r / 48+r (16/32-bit modes only). */
export function incZ(c: CpuCore, d: DecodedInsn): void {
  const a = c.getReg(d.opReg, d.size, false);
  c.setReg(d.opReg, d.size, false, incDec(c, d.size, a, 0, false), 0);
}
export function decZ(c: CpuCore, d: DecodedInsn): void {
  const a = c.getReg(d.opReg, d.size, false);
  c.setReg(d.opReg, d.size, false, incDec(c, d.size, a, 0, true), 0);
}

/** NEG: 0 - x, CF = (x != 0). */
export function neg(c: CpuCore, d: DecodedInsn): void {
  const a = c.readE(d, d.size), ah = c.hi;
  const r = sub(c, d.size, 0, 0, a, ah, 0);
  c.writeE(d, d.size, r, c.hi);
}

/** NOT: no flags. */
export function not(c: CpuCore, d: DecodedInsn): void {
  const a = c.readE(d, d.size), ah = c.hi;
  const m = d.size === 8 ? 0xffffffff : sizeMask(d.size);
  c.writeE(d, d.size, (~a & m) >>> 0, (~ah) >>> 0);
}
