// MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV with #DE (SDM Vol. 2A/2B). CF=OF
// report a significant high half; SF/ZF/PF (undefined) follow the low result, AF is cleared.
// 8-32-bit products are exact in doubles; 64-bit products and 32/64-bit divisions use bigint.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { CF, OF, RAX, RDX, STATUS_FLAGS, VEC_DE } from '../registers';
import { immOf } from './alu';

function big(size: number, lo: number, hi: number): bigint {
  return size === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
}

function setMulFlags(c: CpuCore, size: number, lo: number, hi: number, overflow: boolean): void {
  c.flags = (c.flags & ~STATUS_FLAGS) | (overflow ? CF | OF : 0) | c.szp(size, lo, hi);
}

function signExtend(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/** F6/F7 /4: unsigned rDX:rAX <- rAX * src. */
export function mul(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const src = c.readE(d, size), srch = c.hi;
  const a = c.getReg(RAX, size, false), ah = c.hi;
  if (size <= 2) {
    const p = a * src;
    const bits = size * 8, m = size === 1 ? 0xff : 0xffff;
    const lo = p & m, hi = p >>> bits;
    if (size === 1) c.setReg(RAX, 2, false, p, 0);
    else { c.setReg(RAX, 2, false, lo, 0); c.setReg(RDX, 2, false, hi, 0); }
    setMulFlags(c, size, lo, 0, hi !== 0);
    return;
  }
  const p = big(size, a, ah) * big(size, src, srch);
  const w = BigInt(size * 8);
  const lo = BigInt.asUintN(size * 8, p), hi = p >> w;
  writePair(c, size, lo, hi);
  setMulFlags(c, size, Number(lo & 0xffffffffn), Number(lo >> 32n), hi !== 0n);
}

/** Writes rAX <- lo and rDX <- hi (each `size` bytes; AX for 8-bit MUL is handled by the caller). */
function writePair(c: CpuCore, size: number, lo: bigint, hi: bigint): void {
  c.setReg(RAX, size, false, Number(lo & 0xffffffffn), Number((lo >> 32n) & 0xffffffffn));
  c.setReg(RDX, size, false, Number(hi & 0xffffffffn), Number((hi >> 32n) & 0xffffffffn));
}

/** F6/F7 /5: signed rDX:rAX <- rAX * src. */
export function imul1(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const src = c.readE(d, size), srch = c.hi;
  const a = c.getReg(RAX, size, false), ah = c.hi;
  if (size <= 2) {
    const p = signExtend(a, size) * signExtend(src, size);
    const bits = size * 8;
    const lo = p & ((1 << bits) - 1), hi = (p >> bits) & ((1 << bits) - 1);
    if (size === 1) c.setReg(RAX, 2, false, p & 0xffff, 0);
    else { c.setReg(RAX, 2, false, lo, 0); c.setReg(RDX, 2, false, hi, 0); }
    setMulFlags(c, size, lo, 0, signExtend(lo, size) !== p);
    return;
  }
  const bits = size * 8;
  const p = BigInt.asIntN(bits, big(size, a, ah)) * BigInt.asIntN(bits, big(size, src, srch));
  const lo = BigInt.asUintN(bits, p), hi = BigInt.asUintN(bits, p >> BigInt(bits));
  writePair(c, size, lo, hi);
  setMulFlags(c, size, Number(lo & 0xffffffffn), Number(lo >> 32n), BigInt.asIntN(bits, lo) !== p);
}

/** Truncating signed multiply for the two- and three-operand forms. */
function imulTrunc(c: CpuCore, size: number, a: number, ah: number, b: number, bh: number): number {
  if (size === 4) {
    const lo = Math.imul(a, b) >>> 0;
    setMulFlags(c, 4, lo, 0, (a | 0) * (b | 0) !== (lo | 0));
    c.hi = 0;
    return lo;
  }
  if (size === 2) {
    const p = signExtend(a, 2) * signExtend(b, 2);
    const lo = p & 0xffff;
    setMulFlags(c, 2, lo, 0, signExtend(lo, 2) !== p);
    c.hi = 0;
    return lo;
  }
  const p = BigInt.asIntN(64, big(8, a, ah)) * BigInt.asIntN(64, big(8, b, bh));
  const r = BigInt.asUintN(64, p);
  const lo = Number(r & 0xffffffffn), hi = Number(r >> 32n);
  setMulFlags(c, 8, lo, hi, BigInt.asIntN(64, r) !== p);
  c.hi = hi;
  return lo;
}

/** 0F AF: IMUL Gv, Ev. */
export function imul2(c: CpuCore, d: DecodedInsn): void {
  const b = c.readE(d, d.size), bh = c.hi;
  const a = c.getReg(d.reg, d.size, d.rex), ah = c.hi;
  const r = imulTrunc(c, d.size, a, ah, b, bh);
  c.setReg(d.reg, d.size, d.rex, r, c.hi);
}

/** 69/6B: IMUL Gv, Ev, imm. */
export function imul3(c: CpuCore, d: DecodedInsn): void {
  const a = c.readE(d, d.size), ah = c.hi;
  const r = imulTrunc(c, d.size, a, ah, immOf(d, d.size), d.immHi >>> 0);
  c.setReg(d.reg, d.size, d.rex, r, c.hi);
}

function divideError(): never {
  throw new CpuException(VEC_DE);
}

/** F6/F7 /6 and /7: quotient to rAX (AL), remainder to rDX (AH); #DE on zero or overflow. */
function divide(c: CpuCore, d: DecodedInsn, signed: boolean): void {
  const size = d.size, bits = size * 8;
  const slo = c.readE(d, size), shi = c.hi;
  let divisor = big(size, slo, shi);
  let dividend: bigint;
  if (size === 1) dividend = BigInt(c.regs[0] & 0xffff);
  else {
    const a = c.getReg(RAX, size, false), ah = c.hi;
    const dd = c.getReg(RDX, size, false), dh = c.hi;
    dividend = (big(size, dd, dh) << BigInt(bits)) | big(size, a, ah);
  }
  if (divisor === 0n) divideError();
  if (signed) {
    divisor = BigInt.asIntN(bits, divisor);
    dividend = BigInt.asIntN(bits * 2, dividend);
  }
  const q = dividend / divisor, r = dividend % divisor;
  const limit = 1n << BigInt(signed ? bits - 1 : bits);
  if (signed ? q >= limit || q < -limit : q >= limit) divideError();
  const qu = BigInt.asUintN(bits, q), ru = BigInt.asUintN(bits, r);
  if (size === 1) c.setReg(RAX, 2, false, Number(qu) | (Number(ru) << 8), 0);
  else writePair(c, size, qu, ru);
}

export function div(c: CpuCore, d: DecodedInsn): void { divide(c, d, false); }
export function idiv(c: CpuCore, d: DecodedInsn): void { divide(c, d, true); }

