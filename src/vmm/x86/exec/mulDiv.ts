// MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV with #DE (SDM Vol. 2A/2B). CF=OF
// report a significant high half; SF/ZF/PF (undefined) follow the low result, AF is cleared.
// 8/16-bit products are exact in doubles, 32/64-bit products use wideArith.ts, and divisions use
// doubles when dividend and divisor are exact in them, bigint otherwise.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { CF, OF, RAX, RDX, STATUS_FLAGS, VEC_DE } from '../registers';
import { immOf } from './alu';
import { mulS64, mulU64, product } from './wideArith';

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
  if (size === 4) mulU64(a, 0, src, 0); else mulU64(a, ah, src, srch);
  const high = size === 4 ? product[1] : product[2] + product[3];
  writeProduct(c, size);
  setMulFlags(c, size, product[0], size === 4 ? 0 : product[1], high !== 0);
}

/** Writes the low and high halves of `product` (each `size` bytes, 4 or 8) to rAX and rDX. */
function writeProduct(c: CpuCore, size: number): void {
  if (size === 4) {
    c.setReg(RAX, 4, false, product[0], 0);
    c.setReg(RDX, 4, false, product[1], 0);
  } else {
    c.setReg(RAX, 8, false, product[0], product[1]);
    c.setReg(RDX, 8, false, product[2], product[3]);
  }
}

/** True when the signed product in `product` does not fit in its low `size` bytes. */
function signedOverflow(size: number): boolean {
  if (size === 4) return product[1] !== (product[0] >= 0x80000000 ? 0xffffffff : 0);
  const ext = product[1] >= 0x80000000 ? 0xffffffff : 0;
  return product[2] !== ext || product[3] !== ext;
}

/** Sign extension of a 32-bit value into a high half. */
function signHalf(v: number): number {
  return v & 0x80000000 ? 0xffffffff : 0;
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
  if (size === 4) mulS64(a, signHalf(a), src, signHalf(src)); else mulS64(a, ah, src, srch);
  writeProduct(c, size);
  setMulFlags(c, size, product[0], size === 4 ? 0 : product[1], signedOverflow(size));
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
  mulS64(a, ah, b, bh);
  const lo = product[0], hi = product[1];
  setMulFlags(c, 8, lo, hi, signedOverflow(8));
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
  if (size >= 4 && divideExact(c, size, signed, slo, shi)) return;
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


const TWO52 = 4503599627370496;

/**
 * 32/64-bit DIV/IDIV in doubles when the dividend and divisor are below 2^52 in magnitude (the
 * common case: rDX zero or the sign extension of rAX). The quotient of such integers rounds to
 * the right side of every integer, so truncation is exact. Returns false to use the bigint path.
 */
function divideExact(c: CpuCore, size: number, signed: boolean, slo: number, shi: number): boolean {
  const regs = c.regs;
  const a = regs[0], ah = size === 8 ? regs[1] : 0;
  const dd = regs[4], dh = size === 8 ? regs[5] : 0;
  let n: number, divisor: number;
  if (signed) {
    const top = size === 8 ? ah : a;
    if (dd !== signHalf(top) || (size === 8 && dh !== dd)) return false;
    n = size === 8 ? (ah | 0) * 4294967296 + a : a | 0;
    divisor = size === 8 ? (shi | 0) * 4294967296 + slo : slo | 0;
  } else {
    if (size === 8 ? dd !== 0 || dh !== 0 : dd >= 0x100000) return false;
    n = size === 8 ? ah * 4294967296 + a : dd * 4294967296 + a;
    divisor = size === 8 ? shi * 4294967296 + slo : slo;
  }
  if (n >= TWO52 || n <= -TWO52 || divisor >= TWO52 || divisor <= -TWO52) return false;
  if (divisor === 0) divideError();
  const q = Math.trunc(n / divisor), r = n - q * divisor;
  const limit = size === 8 ? 9223372036854775808 : 4294967296;
  if (signed ? q >= limit / 2 || q < -limit / 2 : q >= limit) divideError();
  if (size === 4) {
    c.setReg(RAX, 4, false, q >>> 0, 0);
    c.setReg(RDX, 4, false, r >>> 0, 0);
  } else {
    c.setReg(RAX, 8, false, lowHalf(q), Math.floor(q / 4294967296) >>> 0);
    c.setReg(RDX, 8, false, lowHalf(r), Math.floor(r / 4294967296) >>> 0);
  }
  return true;
}

/** Low 32 bits of an integer-valued double (two's complement for negative values). */
function lowHalf(v: number): number {
  const m = v % 4294967296;
  return (m < 0 ? m + 4294967296 : m) >>> 0;
}
