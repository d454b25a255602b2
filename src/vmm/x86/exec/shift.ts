// Shifts and rotates: ROL/ROR/RCL/RCR/SHL/SHR/SAL/SAR, SHLD/SHRD (SDM Vol. 2B "RCL/RCR/ROL/ROR",
// "SAL/SAR/SHL/SHR", "SHLD", "SHRD"). 8/16/32-bit operands use numbers, 64-bit ones bigint.
// Flags documented as undefined get the values current Intel cores produce for count 1 rules
// (OF from the formula) and AF cleared; tests mask them.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CF, OF, PARITY, STATUS_FLAGS } from '../registers';

/** The count operand of a group-2 form: D0/D1 -> 1, D2/D3 -> CL, C0/C1 -> imm8. */
function countOf(c: CpuCore, d: DecodedInsn): number {
  const op = d.entry.op;
  if (op === 0xd0 || op === 0xd1) return 1;
  if (op === 0xd2 || op === 0xd3) return c.regs[2] & 0xff;
  return d.imm & 0xff;
}

function szpBig(v: bigint, w: number): number {
  return (((v >> BigInt(w - 1)) & 1n) ? 0x80 : 0) | (v === 0n ? 0x40 : 0) | PARITY[Number(v & 0xffn)];
}

/** Shifts/rotates `v` (width w bits, as bigint) by the masked count; returns the result and sets flags. */
function shiftValue(c: CpuCore, kind: number, v: bigint, w: number, rawCount: number): bigint {
  const count = rawCount & (w === 64 ? 63 : 31);
  if (count === 0) return v;
  const W = BigInt(w);
  const mask = (1n << W) - 1n;
  const msb = (x: bigint) => Number((x >> (W - 1n)) & 1n);
  let res: bigint, cf: number, of: number;
  const flags = c.flags;
  switch (kind) {
    case 0: case 1: { // ROL, ROR: only CF and OF change
      const n = BigInt(count % w);
      res = kind === 0 ? ((v << n) | (v >> ((W - n) % W))) & mask : ((v >> n) | (v << ((W - n) % W))) & mask;
      if (kind === 0) { cf = Number(res & 1n); of = msb(res) ^ cf; }
      else { cf = msb(res); of = msb(res) ^ Number((res >> (W - 2n)) & 1n); }
      c.flags = (flags & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      return res;
    }
    case 2: case 3: { // RCL, RCR through CF: rotate a (w+1)-bit quantity
      const n = w <= 16 ? count % (w + 1) : count;
      let carry = BigInt(flags & CF);
      res = v;
      for (let k = 0; k < n; k++) {
        if (kind === 2) { const out = (res >> (W - 1n)) & 1n; res = ((res << 1n) | carry) & mask; carry = out; }
        else { const out = res & 1n; res = (res >> 1n) | (carry << (W - 1n)); carry = out; }
      }
      cf = Number(carry);
      of = kind === 2 ? msb(res) ^ cf : msb(res) ^ Number((res >> (W - 2n)) & 1n);
      c.flags = (flags & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      return res;
    }
    case 4: case 6: // SHL/SAL
      res = (v << BigInt(count)) & mask;
      cf = count <= w ? Number((v >> BigInt(w - count)) & 1n) : 0;
      of = msb(res) ^ cf;
      break;
    case 5: // SHR
      res = v >> BigInt(count);
      cf = Number((v >> BigInt(count - 1)) & 1n);
      of = msb(v);
      break;
    default: { // SAR
      const signed = BigInt.asIntN(w, v);
      res = BigInt.asUintN(w, signed >> BigInt(count));
      cf = Number((signed >> BigInt(Math.min(count - 1, w - 1))) & 1n);
      of = 0;
    }
  }
  c.flags = (flags & ~STATUS_FLAGS) | (cf ? CF : 0) | (of ? OF : 0) | szpBig(res, w);
  return res;
}

function toBig(size: number, lo: number, hi: number): bigint {
  return size === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
}

function writeBig(c: CpuCore, d: DecodedInsn, lin: number, size: number, v: bigint): void {
  const lo = Number(v & 0xffffffffn), hi = Number(v >> 32n);
  if (d.hasMem) c.write(lin, size, lo, hi);
  else c.setReg(d.rm, size, d.rex, lo, hi);
}

/** Fast 32-bit and narrower SHL/SHR/SAR on numbers. */
function shiftSmall(c: CpuCore, kind: number, v: number, size: number, count: number): number {
  const w = size * 8;
  const sign = size === 4 ? 0x80000000 : 1 << (w - 1);
  let res: number, cf: number, of: number;
  if (kind === 5) {
    res = count >= 32 ? 0 : v >>> count;
    cf = count <= w ? (v >>> (count - 1)) & 1 : 0;
    of = v & sign ? 1 : 0;
  } else if (kind === 7) {
    const s = size === 4 ? v | 0 : (v << (32 - w)) >> (32 - w);
    const n = Math.min(count, 31);
    res = (s >> n) & (size === 4 ? -1 : (1 << w) - 1);
    res = size === 4 ? res >>> 0 : res;
    cf = (s >> Math.min(count - 1, 31)) & 1;
    of = 0;
  } else {
    res = count >= 32 ? 0 : size === 4 ? (v << count) >>> 0 : (v << count) & ((1 << w) - 1);
    cf = count <= w ? (count === 32 ? v & 1 : (v >>> (w - count)) & 1) : 0;
    of = (res & sign ? 1 : 0) ^ cf;
  }
  c.flags = (c.flags & ~STATUS_FLAGS) | (cf ? CF : 0) | (of ? OF : 0) | c.szp(size, res, 0);
  return res;
}

/** Fast 64-bit SHL/SHR/SAR on (lo, hi) pairs, count 1..63; returns lo, hi in c.hi. */
function shift64(c: CpuCore, kind: number, lo: number, hi: number, n: number): number {
  let rl: number, rh: number, cf: number, of: number;
  if (kind === 5 || kind === 7) {
    const fill = kind === 7 && hi & 0x80000000 ? 0xffffffff : 0;
    if (n < 32) {
      rl = ((lo >>> n) | (hi << (32 - n))) >>> 0;
      rh = kind === 7 ? (hi >> n) >>> 0 : hi >>> n;
      cf = (lo >>> (n - 1)) & 1;
    } else if (n === 32) {
      rl = hi >>> 0; rh = fill; cf = (lo >>> 31) & 1;
    } else {
      rl = kind === 7 ? (hi >> (n - 32)) >>> 0 : hi >>> (n - 32);
      rh = fill;
      cf = (hi >>> (n - 33)) & 1;
    }
    of = kind === 5 ? hi >>> 31 : 0;
  } else {
    if (n < 32) {
      rh = ((hi << n) | (lo >>> (32 - n))) >>> 0;
      rl = (lo << n) >>> 0;
      cf = (hi >>> (32 - n)) & 1;
    } else if (n === 32) {
      rh = lo >>> 0; rl = 0; cf = hi & 1;
    } else {
      rh = (lo << (n - 32)) >>> 0; rl = 0;
      cf = (lo >>> (64 - n)) & 1;
    }
    of = (rh >>> 31) ^ cf;
  }
  c.flags = (c.flags & ~STATUS_FLAGS) | (cf ? CF : 0) | (of ? OF : 0) | c.szp(8, rl, rh);
  c.hi = rh;
  return rl;
}

/** Group 2: C0/C1/D0-D3. */
export function shift(c: CpuCore, d: DecodedInsn): void {
  const size = d.size;
  const kind = d.param;
  const count = countOf(c, d) & (size === 8 ? 63 : 31);
  const lin = d.hasMem ? c.memLinear(d) : 0;
  const lo = d.hasMem ? c.read(lin, size) : c.getReg(d.rm, size, d.rex);
  const hi = c.hi;
  if (count === 0) {
    // The destination is still written: a 32-bit register is zero-extended (SDM Vol. 1 3.4.1.1).
    if (!d.hasMem && size === 4) c.setReg(d.rm, 4, d.rex, lo, 0);
    return;
  }
  if (size === 8 && (kind === 4 || kind === 5 || kind === 6 || kind === 7)) {
    const r = shift64(c, kind, lo, hi, count);
    if (d.hasMem) c.write(lin, 8, r, c.hi); else c.setReg(d.rm, 8, d.rex, r, c.hi);
    return;
  }
  if (size <= 4 && (kind === 4 || kind === 5 || kind === 6 || kind === 7)) {
    const r = shiftSmall(c, kind, lo, size, count);
    if (d.hasMem) c.write(lin, size, r, 0); else c.setReg(d.rm, size, d.rex, r, 0);
    return;
  }
  writeBig(c, d, lin, size, shiftValue(c, kind, toBig(size, lo, hi), size * 8, count));
}

/** SHLD/SHRD: Ev, Gv, imm8/CL (double-precision shift). */
function doubleShift(c: CpuCore, d: DecodedInsn, left: boolean): void {
  const size = d.size, w = size * 8, W = BigInt(w);
  const raw = (d.entry.op & 1) ? c.regs[2] & 0xff : d.imm & 0xff;
  const count = raw & (size === 8 ? 63 : 31);
  const lin = d.hasMem ? c.memLinear(d) : 0;
  const dlo = d.hasMem ? c.read(lin, size) : c.getReg(d.rm, size, d.rex);
  const dest = toBig(size, dlo, c.hi);
  const slo = c.getReg(d.reg, size, d.rex);
  const src = toBig(size, slo, c.hi);
  if (count === 0) {
    if (!d.hasMem && size === 4) c.setReg(d.rm, 4, d.rex, dlo, 0);
    return;
  }
  const mask = (1n << W) - 1n, n = BigInt(count);
  // For 16-bit counts above 16 the result is undefined; this follows the 32-bit concatenation model.
  const wide = left ? ((dest << W) | src) : ((src << W) | dest);
  let res: bigint, cf: number;
  if (left) {
    res = ((wide << n) >> W) & mask;
    cf = Number((wide >> (2n * W - n)) & 1n);
  } else {
    res = (wide >> n) & mask;
    cf = Number((wide >> (n - 1n)) & 1n);
  }
  const of = Number(((res ^ dest) >> (W - 1n)) & 1n);
  c.flags = (c.flags & ~STATUS_FLAGS) | (cf ? CF : 0) | (of ? OF : 0) | szpBig(res, w);
  writeBig(c, d, lin, size, res);
}

export function shld(c: CpuCore, d: DecodedInsn): void { doubleShift(c, d, true); }
export function shrd(c: CpuCore, d: DecodedInsn): void { doubleShift(c, d, false); }
