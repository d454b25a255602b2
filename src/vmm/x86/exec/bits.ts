// Bit instructions: BT/BTS/BTR/BTC (register and immediate offsets), BSF/BSR, TZCNT/LZCNT, POPCNT
// (SDM Vol. 2A/2B). BT* set only CF; BSF/BSR leave the destination unchanged for a zero source.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CF, STATUS_FLAGS, ZF } from '../registers';

/** Applies BT (0), BTS (1), BTR (2), BTC (3) to bit `bit` of (lo, hi); returns the new low/high. */
function bitOp(c: CpuCore, op: number, lo: number, hi: number, bit: number): [number, number] {
  const inHi = bit >= 32;
  const m = 1 << (bit & 31);
  const word = inHi ? hi : lo;
  c.flags = (c.flags & ~CF) | ((word & m) !== 0 ? CF : 0);
  let nw = word;
  if (op === 1) nw = word | m; else if (op === 2) nw = word & ~m; else if (op === 3) nw = word ^ m;
  nw >>>= 0;
  return inHi ? [lo, nw] : [nw, hi];
}

function apply(c: CpuCore, d: DecodedInsn, lin: number, bit: number): void {
  const size = d.size;
  const lo = d.hasMem ? c.read(lin, size) : c.getReg(d.rm, size, d.rex);
  const [nlo, nhi] = bitOp(c, d.param, lo, c.hi, bit);
  if (d.param === 0) return;
  if (d.hasMem) c.write(lin, size, nlo, nhi);
  else c.setReg(d.rm, size, d.rex, nlo, nhi);
}

/** 0F A3/AB/B3/BB: the register offset is signed and may address beyond the operand in memory. */
export function btG(c: CpuCore, d: DecodedInsn): void {
  const size = d.size, w = size * 8;
  const olo = c.getReg(d.reg, size, d.rex);
  if (!d.hasMem) { apply(c, d, 0, olo & (w - 1)); return; }
  const offset = size === 8 ? (c.hi | 0) * 4294967296 + olo : size === 4 ? olo | 0 : (olo << 16) >> 16;
  const unit = Math.floor(offset / w);
  const ea = c.effectiveAddress(d) + unit * size;
  const wrapped = d.adsize === 8 ? ea : d.adsize === 4 ? ea >>> 0 : ea & 0xffff;
  apply(c, d, c.linear(d.seg, wrapped), offset - unit * w);
}

/** 0F BA /4-7: immediate offset, taken modulo the operand width. */
export function btI(c: CpuCore, d: DecodedInsn): void {
  const bit = d.imm & (d.size * 8 - 1);
  apply(c, d, d.hasMem ? c.memLinear(d) : 0, bit);
}

function readSource(c: CpuCore, d: DecodedInsn): [number, number] {
  const lo = c.readE(d, d.size);
  return [lo, d.size === 8 ? c.hi : 0];
}

function lowestSet(lo: number, hi: number): number {
  return lo !== 0 ? 31 - Math.clz32(lo & -lo) : 32 + 31 - Math.clz32(hi & -hi);
}

function highestSet(lo: number, hi: number): number {
  return hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
}

export function bsf(c: CpuCore, d: DecodedInsn): void {
  const [lo, hi] = readSource(c, d);
  if ((lo | hi) === 0) { c.flags |= ZF; return; }
  c.flags &= ~ZF;
  c.setReg(d.reg, d.size, d.rex, lowestSet(lo, hi), 0);
}

export function bsr(c: CpuCore, d: DecodedInsn): void {
  const [lo, hi] = readSource(c, d);
  if ((lo | hi) === 0) { c.flags |= ZF; return; }
  c.flags &= ~ZF;
  c.setReg(d.reg, d.size, d.rex, highestSet(lo, hi), 0);
}

/** TZCNT: count of trailing zeros (operand width for 0); CF = source was 0, ZF = result is 0. */
export function tzcnt(c: CpuCore, d: DecodedInsn): void {
  const [lo, hi] = readSource(c, d);
  const w = d.size * 8;
  const n = (lo | hi) === 0 ? w : Math.min(lowestSet(lo, hi), w);
  c.flags = (c.flags & ~(CF | ZF)) | (n === w ? CF : 0) | (n === 0 ? ZF : 0);
  c.setReg(d.reg, d.size, d.rex, n, 0);
}

/** LZCNT: count of leading zeros within the operand width. */
export function lzcnt(c: CpuCore, d: DecodedInsn): void {
  const [lo, hi] = readSource(c, d);
  const w = d.size * 8;
  const n = (lo | hi) === 0 ? w : w - 1 - highestSet(lo, hi);
  c.flags = (c.flags & ~(CF | ZF)) | (n === w ? CF : 0) | (n === 0 ? ZF : 0);
  c.setReg(d.reg, d.size, d.rex, n, 0);
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** POPCNT: ZF = source was 0; CF, OF, SF, AF, PF cleared. */
export function popcnt(c: CpuCore, d: DecodedInsn): void {
  const [lo, hi] = readSource(c, d);
  const n = popcount32(lo) + popcount32(hi);
  c.flags = (c.flags & ~STATUS_FLAGS) | (n === 0 ? ZF : 0);
  c.setReg(d.reg, d.size, d.rex, n, 0);
}
