// More of SSE/SSE2 as compilers use it in vectorised loops (SDM Vol. 2): packed shifts, compares,
// min/max, multiplies, saturating adds, packs, shuffles (PSHUFLW/PSHUFHW/SHUFPS/UNPCK*PS/PD),
// MOVLPS/MOVHPS/MOVHLPS/MOVLHPS, MOVMSKPS/PD, PINSRW/PEXTRW, non-temporal stores, packed
// single/double arithmetic, conversions and CMPPS/PD/SS/SD. Lanes are processed through typed
// views of one 16-byte scratch buffer per operand.

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { CR0_EM, CR0_TS, CR4_OSFXSR, VEC_GP, VEC_NM, VEC_UD } from '../registers';

const A = new ArrayBuffer(16), B = new ArrayBuffer(16), R = new ArrayBuffer(16);
const a8 = new Uint8Array(A), b8 = new Uint8Array(B), r8 = new Uint8Array(R);
const a16 = new Uint16Array(A), b16 = new Uint16Array(B), r16 = new Uint16Array(R);
const as16 = new Int16Array(A), bs16 = new Int16Array(B), rs16 = new Int16Array(R);
const a32 = new Uint32Array(A), b32 = new Uint32Array(B), r32 = new Uint32Array(R);
const as32 = new Int32Array(A), bs32 = new Int32Array(B);
const af32 = new Float32Array(A), bf32 = new Float32Array(B), rf32 = new Float32Array(R);
const af64 = new Float64Array(A), bf64 = new Float64Array(B), rf64 = new Float64Array(R);
const as8 = new Int8Array(A), bs8 = new Int8Array(B), rs8 = new Int8Array(R);

function sseCheck(c: CpuCore): void {
  if (!(c.cr4 & CR4_OSFXSR) || c.cr0 & CR0_EM) throw new CpuException(VEC_UD);
  if (c.cr0 & CR0_TS) throw new CpuException(VEC_NM);
}

/** Loads the destination register into A and the source (register or memory) into B. */
function load(c: CpuCore, d: DecodedInsn, aligned = true, memBytes = 16): void {
  sseCheck(c);
  for (let k = 0; k < 4; k++) a32[k] = c.xmm[d.reg * 4 + k];
  if (!d.hasMem) { for (let k = 0; k < 4; k++) b32[k] = c.xmm[d.rm * 4 + k]; return; }
  const lin = c.memLinear(d);
  if (aligned && memBytes === 16 && lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, memBytes, 1);
  b32.fill(0);
  for (let k = 0; k < memBytes / 4; k++) b32[k] = c.read(lin + 4 * k, 4);
}

function storeR(c: CpuCore, reg: number): void {
  for (let k = 0; k < 4; k++) c.xmm[reg * 4 + k] = r32[k];
}

const sat = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Packed integer binary ops: param selects the operation (see OPS). */
const INT_OPS: ((i: number) => void)[] = [
  /* 0 pcmpgtb */ (i) => { for (i = 0; i < 16; i++) r8[i] = as8[i] > bs8[i] ? 0xff : 0; },
  /* 1 pcmpgtw */ (i) => { for (i = 0; i < 8; i++) r16[i] = as16[i] > bs16[i] ? 0xffff : 0; },
  /* 2 pcmpgtd */ (i) => { for (i = 0; i < 4; i++) r32[i] = as32[i] > bs32[i] ? 0xffffffff : 0; },
  /* 3 pminub */ (i) => { for (i = 0; i < 16; i++) r8[i] = Math.min(a8[i], b8[i]); },
  /* 4 pmaxub */ (i) => { for (i = 0; i < 16; i++) r8[i] = Math.max(a8[i], b8[i]); },
  /* 5 pminsw */ (i) => { for (i = 0; i < 8; i++) rs16[i] = Math.min(as16[i], bs16[i]); },
  /* 6 pmaxsw */ (i) => { for (i = 0; i < 8; i++) rs16[i] = Math.max(as16[i], bs16[i]); },
  /* 7 pmullw */ (i) => { for (i = 0; i < 8; i++) r16[i] = Math.imul(as16[i], bs16[i]); },
  /* 8 pmulhw */ (i) => { for (i = 0; i < 8; i++) r16[i] = (as16[i] * bs16[i]) >> 16; },
  /* 9 pmulhuw */ (i) => { for (i = 0; i < 8; i++) r16[i] = Math.floor((a16[i] * b16[i]) / 65536); },
  /* 10 pmuludq */ () => {
    for (let q = 0; q < 2; q++) {
      const p = BigInt(a32[q * 2]) * BigInt(b32[q * 2]);
      r32[q * 2] = Number(p & 0xffffffffn); r32[q * 2 + 1] = Number(p >> 32n);
    }
  },
  /* 11 paddusb */ (i) => { for (i = 0; i < 16; i++) r8[i] = sat(a8[i] + b8[i], 0, 255); },
  /* 12 paddusw */ (i) => { for (i = 0; i < 8; i++) r16[i] = sat(a16[i] + b16[i], 0, 65535); },
  /* 13 psubusb */ (i) => { for (i = 0; i < 16; i++) r8[i] = sat(a8[i] - b8[i], 0, 255); },
  /* 14 psubusw */ (i) => { for (i = 0; i < 8; i++) r16[i] = sat(a16[i] - b16[i], 0, 65535); },
  /* 15 paddsb */ (i) => { for (i = 0; i < 16; i++) rs8[i] = sat(as8[i] + bs8[i], -128, 127); },
  /* 16 paddsw */ (i) => { for (i = 0; i < 8; i++) rs16[i] = sat(as16[i] + bs16[i], -32768, 32767); },
  /* 17 psubsb */ (i) => { for (i = 0; i < 16; i++) rs8[i] = sat(as8[i] - bs8[i], -128, 127); },
  /* 18 psubsw */ (i) => { for (i = 0; i < 8; i++) rs16[i] = sat(as16[i] - bs16[i], -32768, 32767); },
  /* 19 packsswb */ (i) => { for (i = 0; i < 8; i++) { rs8[i] = sat(as16[i], -128, 127); rs8[i + 8] = sat(bs16[i], -128, 127); } },
  /* 20 packuswb */ (i) => { for (i = 0; i < 8; i++) { r8[i] = sat(as16[i], 0, 255); r8[i + 8] = sat(bs16[i], 0, 255); } },
  /* 21 packssdw */ (i) => { for (i = 0; i < 4; i++) { rs16[i] = sat(as32[i], -32768, 32767); rs16[i + 4] = sat(bs32[i], -32768, 32767); } },
  /* 22 pavgb */ (i) => { for (i = 0; i < 16; i++) r8[i] = (a8[i] + b8[i] + 1) >> 1; },
  /* 23 pavgw */ (i) => { for (i = 0; i < 8; i++) r16[i] = (a16[i] + b16[i] + 1) >> 1; },
  /* 24 psadbw */ () => {
    for (let q = 0; q < 2; q++) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += Math.abs(a8[q * 8 + k] - b8[q * 8 + k]);
      r32[q * 2] = s; r32[q * 2 + 1] = 0;
    }
  },
  /* 25 pmaddwd */ (i) => { for (i = 0; i < 4; i++) r32[i] = (as16[2 * i] * bs16[2 * i] + as16[2 * i + 1] * bs16[2 * i + 1]) >>> 0; },
];

export function packedIntOp(c: CpuCore, d: DecodedInsn): void {
  load(c, d);
  INT_OPS[d.param](0);
  storeR(c, d.reg);
}

/** Shift counts from an XMM/m128 operand (low 64 bits) or an immediate. */
function shiftCount(c: CpuCore, d: DecodedInsn, imm: boolean): number {
  if (imm) return d.imm & 0xff;
  return b32[1] !== 0 ? 256 : b32[0] > 255 ? 256 : b32[0];
}

/** Packed shifts: param = lane bytes | kind << 4 (0 logical right, 1 arithmetic right, 2 left) | imm << 8. */
export function packedShift(c: CpuCore, d: DecodedInsn): void {
  const imm = (d.param & 0x100) !== 0;
  if (imm) {
    sseCheck(c);
    if (d.hasMem) throw new CpuException(VEC_UD);
    for (let k = 0; k < 4; k++) a32[k] = c.xmm[d.rm * 4 + k];
  } else load(c, d);
  const lane = d.param & 0xf, kind = (d.param >> 4) & 0xf;
  const n = shiftCount(c, d, imm), bits = lane * 8;
  const dst = imm ? d.rm : d.reg;
  if (lane === 8) {
    for (let q = 0; q < 2; q++) {
      let v = (BigInt(a32[q * 2 + 1]) << 32n) | BigInt(a32[q * 2]);
      v = n >= 64 ? 0n : kind === 2 ? BigInt.asUintN(64, v << BigInt(n)) : v >> BigInt(n);
      r32[q * 2] = Number(v & 0xffffffffn); r32[q * 2 + 1] = Number(v >> 32n);
    }
  } else {
    for (let i = 0; i < 16 / lane; i++) {
      const v = lane === 2 ? a16[i] : a32[i];
      const sv = lane === 2 ? as16[i] : as32[i];
      let r: number;
      if (kind === 1) r = sv >> Math.min(n, bits - 1);
      else if (n >= bits) r = 0;
      else r = kind === 2 ? v << n : v >>> n;
      if (lane === 2) r16[i] = r; else r32[i] = r >>> 0;
    }
  }
  storeR(c, dst);
}

/** PSRLDQ / PSLLDQ (66 0F 73 /3, /7): byte shifts of the whole register. */
export function byteShift(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (d.hasMem) throw new CpuException(VEC_UD);
  for (let k = 0; k < 4; k++) a32[k] = c.xmm[d.rm * 4 + k];
  const n = Math.min(d.imm & 0xff, 16);
  for (let i = 0; i < 16; i++) {
    const src = d.param === 0 ? i + n : i - n;
    r8[i] = src >= 0 && src < 16 ? a8[src] : 0;
  }
  storeR(c, d.rm);
}

/** PSHUFLW (param 0) / PSHUFHW (param 1). */
export function pshufw(c: CpuCore, d: DecodedInsn): void {
  load(c, d);
  const imm = d.imm & 0xff, base = d.param === 0 ? 0 : 4;
  for (let i = 0; i < 8; i++) r16[i] = b16[i];
  for (let i = 0; i < 4; i++) r16[base + i] = b16[base + ((imm >> (2 * i)) & 3)];
  storeR(c, d.reg);
}

/** SHUFPS (param 0) / SHUFPD (param 1). */
export function shufp(c: CpuCore, d: DecodedInsn): void {
  load(c, d);
  const imm = d.imm & 0xff;
  if (d.param === 0) {
    r32[0] = a32[imm & 3]; r32[1] = a32[(imm >> 2) & 3]; r32[2] = b32[(imm >> 4) & 3]; r32[3] = b32[(imm >> 6) & 3];
  } else {
    const lo = imm & 1, hi = (imm >> 1) & 1;
    r32[0] = a32[lo * 2]; r32[1] = a32[lo * 2 + 1]; r32[2] = b32[hi * 2]; r32[3] = b32[hi * 2 + 1];
  }
  storeR(c, d.reg);
}

/** UNPCKLPS/UNPCKHPS (param 0/1), UNPCKLPD/UNPCKHPD (param 2/3). */
export function unpckp(c: CpuCore, d: DecodedInsn): void {
  load(c, d);
  const high = d.param & 1, wide = d.param >= 2;
  if (wide) {
    r32[0] = a32[high * 2]; r32[1] = a32[high * 2 + 1]; r32[2] = b32[high * 2]; r32[3] = b32[high * 2 + 1];
  } else {
    const o = high * 2;
    r32[0] = a32[o]; r32[1] = b32[o]; r32[2] = a32[o + 1]; r32[3] = b32[o + 1];
  }
  storeR(c, d.reg);
}

/** MOVLPS/MOVLPD/MOVHPS/MOVHPD loads (param 0 low, 1 high) and MOVHLPS/MOVLHPS register forms. */
export function movHalfLoad(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const v = d.reg * 4;
  if (!d.hasMem) {
    // 0F 12 reg: MOVHLPS (low <- source high); 0F 16 reg: MOVLHPS (high <- source low).
    const s = d.rm * 4;
    if (d.param === 0) { c.xmm[v] = c.xmm[s + 2]; c.xmm[v + 1] = c.xmm[s + 3]; } else { c.xmm[v + 2] = c.xmm[s]; c.xmm[v + 3] = c.xmm[s + 1]; }
    return;
  }
  const lin = c.memLinear(d);
  const lo = c.read(lin, 8), hi = c.hi;
  const o = v + d.param * 2;
  c.xmm[o] = lo; c.xmm[o + 1] = hi;
}

export function movHalfStore(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (!d.hasMem) throw new CpuException(VEC_UD);
  const o = d.reg * 4 + d.param * 2;
  c.write(c.memLinear(d), 8, c.xmm[o], c.xmm[o + 1]);
}

/** MOVMSKPS (param 4) / MOVMSKPD (param 8): sign bits of the lanes into a GPR. */
export function movmskp(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (d.hasMem) throw new CpuException(VEC_UD);
  let m = 0;
  if (d.param === 4) for (let i = 0; i < 4; i++) m |= (c.xmm[d.rm * 4 + i] >>> 31) << i;
  else for (let i = 0; i < 2; i++) m |= (c.xmm[d.rm * 4 + i * 2 + 1] >>> 31) << i;
  c.setReg(d.reg, d.opsize === 8 ? 8 : 4, d.rex, m, 0);
}

/** MOVNTDQ/MOVNTPS/MOVNTPD: aligned 16-byte stores (non-temporal hint ignored). */
export function movntStore(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (!d.hasMem) throw new CpuException(VEC_UD);
  const lin = c.memLinear(d);
  if (lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 16, 2);
  for (let k = 0; k < 4; k++) c.write(lin + 4 * k, 4, c.xmm[d.reg * 4 + k], 0);
}

/** MOVNTI m32/m64, r. */
export function movnti(c: CpuCore, d: DecodedInsn): void {
  if (!d.hasMem) throw new CpuException(VEC_UD);
  const size = d.rexW ? 8 : 4;
  const v = c.getReg(d.reg, size, d.rex);
  c.write(c.memLinear(d), size, v, c.hi);
}

/** PINSRW xmm, r32/m16, imm8. */
export function pinsrw(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const v = d.hasMem ? c.read(c.memLinear(d), 2) : c.getReg(d.rm, 4, d.rex) & 0xffff;
  const i = d.imm & 7, w = d.reg * 4 + (i >> 1);
  c.xmm[w] = i & 1 ? (c.xmm[w] & 0xffff) | (v << 16) : (c.xmm[w] & 0xffff0000) | v;
}

/** PEXTRW r32, xmm, imm8. */
export function pextrw(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (d.hasMem) throw new CpuException(VEC_UD);
  const i = d.imm & 7, w = c.xmm[d.rm * 4 + (i >> 1)];
  c.setReg(d.reg, d.opsize === 8 ? 8 : 4, d.rex, i & 1 ? w >>> 16 : w & 0xffff, 0);
}

function roundEven(x: number): number {
  const f = Math.floor(x), diff = x - f;
  return diff > 0.5 ? f + 1 : diff < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

function toInt32(x: number, truncate: boolean, rc: number): number {
  const r = truncate ? Math.trunc(x) : rc === 0 ? roundEven(x) : rc === 1 ? Math.floor(x) : rc === 2 ? Math.ceil(x) : Math.trunc(x);
  return r >= -2147483648 && r <= 2147483647 ? r | 0 : 0x80000000 | 0;
}

/** Packed conversions; param: 0 CVTDQ2PS, 1 CVTPS2DQ, 2 CVTTPS2DQ, 3 CVTDQ2PD, 4 CVTTPD2DQ, 5 CVTPD2DQ, 6 CVTPS2PD, 7 CVTPD2PS. */
export function packedConvert(c: CpuCore, d: DecodedInsn): void {
  const half = d.param === 3 || d.param === 6;
  load(c, d, !half, half ? 8 : 16);
  const rc = (c.mxcsr >> 13) & 3;
  r32.fill(0);
  const ri = new Int32Array(R);
  switch (d.param) {
    case 0: for (let i = 0; i < 4; i++) rf32[i] = bs32[i]; break;
    case 1: for (let i = 0; i < 4; i++) ri[i] = toInt32(bf32[i], false, rc); break;
    case 2: for (let i = 0; i < 4; i++) ri[i] = toInt32(bf32[i], true, rc); break;
    case 3: for (let i = 0; i < 2; i++) rf64[i] = bs32[i]; break;
    case 4: for (let i = 0; i < 2; i++) ri[i] = toInt32(bf64[i], true, rc); break;
    case 5: for (let i = 0; i < 2; i++) ri[i] = toInt32(bf64[i], false, rc); break;
    case 6: for (let i = 0; i < 2; i++) rf64[i] = bf32[i]; break;
    default: for (let i = 0; i < 2; i++) rf32[i] = bf64[i]; break;
  }
  storeR(c, d.reg);
}

/** Packed float arithmetic: param = lane bytes (4 ps, 8 pd) | op << 8 (0 add 1 mul 2 sub 3 div 4 sqrt 5 min 6 max). */
export function packedFp(c: CpuCore, d: DecodedInsn): void {
  load(c, d);
  const lane = d.param & 0xff, op = d.param >> 8, n = 16 / lane;
  for (let i = 0; i < n; i++) {
    const x = lane === 4 ? af32[i] : af64[i], y = lane === 4 ? bf32[i] : bf64[i];
    if (op >= 5 && !(x < y || x > y)) {
      // MIN/MAX return the second operand when unordered or equal (keeps NaN payloads, signed zeros).
      if (lane === 4) r32[i] = b32[i]; else { r32[2 * i] = b32[2 * i]; r32[2 * i + 1] = b32[2 * i + 1]; }
      continue;
    }
    const v = op === 0 ? x + y : op === 1 ? x * y : op === 2 ? x - y : op === 3 ? x / y : op === 4 ? Math.sqrt(y)
      : op === 5 ? (x < y ? x : y) : (x > y ? x : y);
    if (lane === 4) rf32[i] = v; else rf64[i] = v;
  }
  storeR(c, d.reg);
}

/** CMPPS/CMPPD/CMPSS/CMPSD with predicate imm8 0-7: param = lane bytes | scalar << 8. */
export function fpCompare(c: CpuCore, d: DecodedInsn): void {
  const lane = d.param & 0xff, scalar = (d.param >> 8) !== 0;
  load(c, d, !scalar, scalar ? lane : 16);
  for (let k = 0; k < 4; k++) r32[k] = a32[k];
  const n = scalar ? 1 : 16 / lane, pred = d.imm & 7;
  for (let i = 0; i < n; i++) {
    const x = lane === 4 ? af32[i] : af64[i], y = lane === 4 ? bf32[i] : bf64[i];
    const un = x !== x || y !== y;
    const t = pred === 0 ? x === y : pred === 1 ? x < y : pred === 2 ? x <= y : pred === 3 ? un
      : pred === 4 ? !(x === y) : pred === 5 ? !(x < y) : pred === 6 ? !(x <= y) : !un;
    if (lane === 4) r32[i] = t ? 0xffffffff : 0;
    else { r32[2 * i] = t ? 0xffffffff : 0; r32[2 * i + 1] = t ? 0xffffffff : 0; }
  }
  storeR(c, d.reg);
}
