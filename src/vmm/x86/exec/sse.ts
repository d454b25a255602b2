// The SSE/SSE2 subset compilers emit for integer and scalar floating-point code (SDM Vol. 2):
// 128-bit moves, MOVD/MOVQ, MOVSS/MOVSD, logic (PAND/POR/PXOR/ANDPS/XORPS...), PADD/PSUB/PCMPEQ,
// PUNPCK*, PSHUFD, PMOVMSKB, scalar arithmetic, CVTSI2SS/SD, CVT(T)SS/SD2SI, CVTSS2SD/CVTSD2SS,
// (U)COMISS/SD, FXSAVE/FXRSTOR, LDMXCSR/STMXCSR. Floating-point exceptions are not raised (MXCSR
// flags are not updated); rounding follows MXCSR.RC only for CVTSS/SD2SI.

import type { CpuCore } from '../core';
import { readFxImage, writeFxImage } from '../cpuState';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { CF, CR0_EM, CR0_TS, CR4_OSFXSR, PF, STATUS_FLAGS, VEC_GP, VEC_NM, VEC_UD, ZF } from '../registers';

const scratch = new ArrayBuffer(16);
const f32 = new Float32Array(scratch);
const f64 = new Float64Array(scratch);
const u32 = new Uint32Array(scratch);
const tmp = new Uint32Array(4);

/** #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS (SDM Vol. 3A 13.1.4). */
function sseCheck(c: CpuCore): void {
  if (!(c.cr4 & CR4_OSFXSR) || c.cr0 & CR0_EM) throw new CpuException(VEC_UD);
  if (c.cr0 & CR0_TS) throw new CpuException(VEC_NM);
}

/** Reads the 16-byte W operand into `out` (checking 16-byte alignment when `aligned`). */
function readW128(c: CpuCore, d: DecodedInsn, out: Uint32Array, aligned: boolean): void {
  if (!d.hasMem) { for (let k = 0; k < 4; k++) out[k] = c.xmm[d.rm * 4 + k]; return; }
  const lin = c.memLinear(d);
  if (aligned && lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 16, 1);
  for (let k = 0; k < 4; k++) out[k] = c.read(lin + 4 * k, 4);
}

function writeW128(c: CpuCore, d: DecodedInsn, src: Uint32Array, aligned: boolean): void {
  if (!d.hasMem) { for (let k = 0; k < 4; k++) c.xmm[d.rm * 4 + k] = src[k]; return; }
  const lin = c.memLinear(d);
  if (aligned && lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 16, 2);
  for (let k = 0; k < 4; k++) c.write(lin + 4 * k, 4, src[k], 0);
}

/** Reads the low `bytes` (4 or 8) of the W operand into tmp[0..1]. */
function readWScalar(c: CpuCore, d: DecodedInsn, bytes: number): void {
  if (!d.hasMem) { tmp[0] = c.xmm[d.rm * 4]; tmp[1] = c.xmm[d.rm * 4 + 1]; return; }
  tmp[0] = c.read(c.memLinear(d), bytes);
  tmp[1] = bytes === 8 ? c.hi : 0;
}

export function movVW(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  readW128(c, d, tmp, d.param === 1);
  c.xmm.set(tmp, d.reg * 4);
}

export function movWV(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  writeW128(c, d, c.xmm.subarray(d.reg * 4, d.reg * 4 + 4), d.param === 1);
}

/** MOVSS/MOVSD load: from memory zero the rest of the register, from a register merge the low lane. */
export function movScalarVW(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param, v = d.reg * 4;
  readWScalar(c, d, bytes);
  c.xmm[v] = tmp[0];
  if (bytes === 8) c.xmm[v + 1] = tmp[1];
  if (d.hasMem) { if (bytes === 4) c.xmm[v + 1] = 0; c.xmm[v + 2] = 0; c.xmm[v + 3] = 0; }
}

export function movScalarWV(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param, v = d.reg * 4;
  if (d.hasMem) { c.write(c.memLinear(d), bytes, c.xmm[v], c.xmm[v + 1]); return; }
  c.xmm[d.rm * 4] = c.xmm[v];
  if (bytes === 8) c.xmm[d.rm * 4 + 1] = c.xmm[v + 1];
}

export function movdToXmm(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const size = d.rexW ? 8 : 4;
  const lo = c.readE(d, size), hi = size === 8 ? c.hi : 0;
  c.xmm.set([lo, hi, 0, 0], d.reg * 4);
}

export function movdFromXmm(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  c.writeE(d, d.size, c.xmm[d.reg * 4], c.xmm[d.reg * 4 + 1]);
}

/** F3 0F 7E MOVQ xmm, xmm/m64: the upper quadword is zeroed. */
export function movqToXmm(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  readWScalar(c, d, 8);
  c.xmm.set([tmp[0], tmp[1], 0, 0], d.reg * 4);
}

/** 66 0F D6 MOVQ xmm/m64, xmm. */
export function movqFromXmm(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const v = d.reg * 4;
  if (d.hasMem) c.write(c.memLinear(d), 8, c.xmm[v], c.xmm[v + 1]);
  else c.xmm.set([c.xmm[v], c.xmm[v + 1], 0, 0], d.rm * 4);
}

/** AND / ANDN / OR / XOR on 128 bits (param 0..3). */
export function vecLogic(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  readW128(c, d, tmp, true);
  const v = d.reg * 4, x = c.xmm;
  for (let k = 0; k < 4; k++) {
    const a = x[v + k], b = tmp[k];
    x[v + k] = d.param === 0 ? a & b : d.param === 1 ? ~a & b : d.param === 2 ? a | b : a ^ b;
  }
}

/** Packed integer lanes: param = lane bytes | op << 8 (0 add, 1 sub, 2 cmpeq, 3 unpack low, 4 unpack high). */
export function packedInt(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  readW128(c, d, tmp, true);
  const lane = d.param & 0xff, op = d.param >> 8, v = d.reg * 4;
  const a = new Uint8Array(c.xmm.buffer, c.xmm.byteOffset + v * 4, 16).slice();
  const b = new Uint8Array(tmp.buffer.slice(0));
  const out = new Uint8Array(16);
  if (op >= 3) {
    const half = op === 3 ? 0 : 8;
    for (let i = 0, o = 0; i < 8; i += lane) {
      for (let k = 0; k < lane; k++) out[o + k] = a[half + i + k];
      for (let k = 0; k < lane; k++) out[o + lane + k] = b[half + i + k];
      o += 2 * lane;
    }
  } else {
    for (let i = 0; i < 16; i += lane) {
      if (op === 2) {
        let eq = true;
        for (let k = 0; k < lane; k++) if (a[i + k] !== b[i + k]) eq = false;
        for (let k = 0; k < lane; k++) out[i + k] = eq ? 0xff : 0;
      } else {
        let carry = 0;
        for (let k = 0; k < lane; k++) {
          const r = op === 0 ? a[i + k] + b[i + k] + carry : a[i + k] - b[i + k] - carry;
          out[i + k] = r & 0xff;
          carry = op === 0 ? (r > 0xff ? 1 : 0) : (r < 0 ? 1 : 0);
        }
      }
    }
  }
  new Uint8Array(c.xmm.buffer, c.xmm.byteOffset + v * 4, 16).set(out);
}

export function pshufd(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  readW128(c, d, tmp, true);
  const v = d.reg * 4, imm = d.imm & 0xff;
  for (let k = 0; k < 4; k++) c.xmm[v + k] = tmp[(imm >> (2 * k)) & 3];
}

export function pmovmskb(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  if (d.hasMem) throw new CpuException(VEC_UD);
  let m = 0;
  for (let k = 0; k < 16; k++) if ((c.xmm[d.rm * 4 + (k >> 2)] >>> (8 * (k & 3) + 7)) & 1) m |= 1 << k;
  c.setReg(d.reg, d.opsize === 8 ? 8 : 4, d.rex, m, 0);
}

// ---- scalar floating point ----
function loadScalar(bytes: number, lo: number, hi: number): number {
  u32[0] = lo; u32[1] = hi;
  return bytes === 4 ? f32[0] : f64[0];
}

function storeScalar(c: CpuCore, reg: number, bytes: number, value: number): void {
  if (bytes === 4) { f32[0] = value; c.xmm[reg * 4] = u32[0]; }
  else { f64[0] = value; c.xmm[reg * 4] = u32[0]; c.xmm[reg * 4 + 1] = u32[1]; }
}

/** ADD/MUL/SUB/DIV/SQRT/MIN/MAX SS/SD: param = bytes | op << 8. */
export function scalarFp(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param & 0xff, op = d.param >> 8;
  readWScalar(c, d, bytes);
  const b = loadScalar(bytes, tmp[0], tmp[1]);
  const a = loadScalar(bytes, c.xmm[d.reg * 4], c.xmm[d.reg * 4 + 1]);
  let r: number;
  switch (op) {
    case 0: r = a + b; break;
    case 1: r = a * b; break;
    case 2: r = a - b; break;
    case 3: r = a / b; break;
    case 4: r = Math.sqrt(b); break;
    case 5: r = a < b ? a : b; break;   // MIN: the second operand when unordered or both zero
    default: r = a > b ? a : b; break;  // MAX
  }
  if (op >= 5 && !(a < b || a > b)) {
    // Return the source operand bit pattern unchanged (keeps NaN payloads and signed zeros).
    c.xmm[d.reg * 4] = tmp[0];
    if (bytes === 8) c.xmm[d.reg * 4 + 1] = tmp[1];
    return;
  }
  storeScalar(c, d.reg, bytes, bytes === 4 ? Math.fround(r) : r);
}

/** Rounds a signed 64-bit integer to `bits` significant bits, ties to even (one rounding step). */
function roundInt(v: bigint, bits: number): number {
  const neg = v < 0n;
  let m = neg ? -v : v;
  const len = m.toString(2).length;
  if (len > bits) {
    const drop = BigInt(len - bits);
    const half = 1n << (drop - 1n), rest = m & ((1n << drop) - 1n);
    m >>= drop;
    if (rest > half || (rest === half && (m & 1n))) m += 1n;
    m <<= drop;
  }
  return Number(neg ? -m : m);
}

/** CVTSI2SS/SD: the source is 32-bit, or 64-bit with REX.W; rounded once to the target precision. */
export function cvtsi2fp(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const size = d.rexW ? 8 : 4;
  const lo = c.readE(d, size);
  const v = size === 8 ? BigInt.asIntN(64, (BigInt(c.hi) << 32n) | BigInt(lo)) : BigInt(lo | 0);
  storeScalar(c, d.reg, d.param, roundInt(v, d.param === 4 ? 24 : 53));
}

function roundEven(x: number): number {
  const f = Math.floor(x), diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** CVT(T)SS2SI / CVT(T)SD2SI: param = bytes | 16 for truncation; out of range -> integer indefinite. */
export function cvtfp2si(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param & 15;
  readWScalar(c, d, bytes);
  const x = loadScalar(bytes, tmp[0], tmp[1]);
  const rc = (c.mxcsr >> 13) & 3;
  const r = d.param & 16 ? Math.trunc(x) : rc === 0 ? roundEven(x) : rc === 1 ? Math.floor(x) : rc === 2 ? Math.ceil(x) : Math.trunc(x);
  if (d.size === 8) {
    if (!(r >= -(2 ** 63) && r < 2 ** 63)) { c.setReg(d.reg, 8, d.rex, 0, 0x80000000); return; }
    const big = BigInt.asUintN(64, BigInt(r));
    c.setReg(d.reg, 8, d.rex, Number(big & 0xffffffffn), Number(big >> 32n));
  } else {
    if (!(r >= -(2 ** 31) && r < 2 ** 31)) { c.setReg(d.reg, 4, d.rex, 0x80000000, 0); return; }
    c.setReg(d.reg, 4, d.rex, r >>> 0, 0);
  }
}

/** CVTSS2SD (param 4) / CVTSD2SS (param 8). */
export function cvtfp2fp(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param;
  readWScalar(c, d, bytes);
  const x = loadScalar(bytes, tmp[0], tmp[1]);
  if (bytes === 4) storeScalar(c, d.reg, 8, x);
  else storeScalar(c, d.reg, 4, Math.fround(x));
}

/** (U)COMISS/SD: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal; OF, SF, AF cleared. */
export function comis(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const bytes = d.param & 15;
  readWScalar(c, d, bytes);
  const b = loadScalar(bytes, tmp[0], tmp[1]);
  const a = loadScalar(bytes, c.xmm[d.reg * 4], c.xmm[d.reg * 4 + 1]);
  const f = a !== a || b !== b ? ZF | PF | CF : a < b ? CF : a === b ? ZF : 0;
  c.flags = (c.flags & ~STATUS_FLAGS) | f;
}

// ---- state save/restore ----
export function fxsave(c: CpuCore, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  if (lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 512, 2);
  const img = new Uint8Array(512);
  writeFxImage(c, img);
  const dv = new DataView(img.buffer);
  for (let k = 0; k < 416; k += 4) c.write(lin + k, 4, dv.getUint32(k, true), 0);
}

export function fxrstor(c: CpuCore, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  if (lin % 16 !== 0) throw new CpuException(VEC_GP, 0);
  c.probe(lin, 512, 1);
  const img = new Uint8Array(512);
  const dv = new DataView(img.buffer);
  for (let k = 0; k < 416; k += 4) dv.setUint32(k, c.read(lin + k, 4), true);
  if (dv.getUint32(24, true) & ~0xffff) throw new CpuException(VEC_GP, 0);
  readFxImage(c, img);
}

export function ldmxcsr(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  const v = c.read(c.memLinear(d), 4);
  if (v & ~0xffff) throw new CpuException(VEC_GP, 0);
  c.mxcsr = v;
}

export function stmxcsr(c: CpuCore, d: DecodedInsn): void {
  sseCheck(c);
  c.write(c.memLinear(d), 4, c.mxcsr, 0);
}

