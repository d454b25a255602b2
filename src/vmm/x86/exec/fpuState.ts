// x87 control instructions (FNINIT, FNSTCW, FLDCW, FNSTSW) and XSAVE/XRSTOR for the x87 and SSE
// components (SDM Vol. 1 8.1.5, 13.4-13.8; Vol. 2 XSAVE/XRSTOR). x87 arithmetic is not implemented;
// the control/status words live in the FXSAVE legacy image (FCW at byte 0, FSW at byte 2, FTW at 4).

import type { CpuCore } from '../core';
import { readFxImage, writeFxImage } from '../cpuState';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { CR0_EM, CR0_TS, CR4_OSXSAVE, RAX, VEC_GP, VEC_NM, VEC_UD } from '../registers';

function fpuCheck(c: CpuCore): void {
  if (c.cr0 & (CR0_EM | CR0_TS)) throw new CpuException(c.cr0 & CR0_EM ? VEC_UD : VEC_NM);
}

/** FNINIT: FCW=037F, FSW=0, FTW=all empty (abridged 0). */
export function fninit(c: CpuCore): void {
  fpuCheck(c);
  c.fxLegacy.fill(0, 0, 32);
  c.fxLegacy[0] = 0x7f;
  c.fxLegacy[1] = 0x03;
}

export function fnstcw(c: CpuCore, d: DecodedInsn): void {
  fpuCheck(c);
  c.write(c.memLinear(d), 2, c.fxLegacy[0] | (c.fxLegacy[1] << 8), 0);
}

export function fldcw(c: CpuCore, d: DecodedInsn): void {
  fpuCheck(c);
  const v = c.read(c.memLinear(d), 2);
  c.fxLegacy[0] = v & 0xff;
  c.fxLegacy[1] = v >>> 8;
}

/** FNSTSW AX (DF E0) or m16 (DD /7). */
export function fnstsw(c: CpuCore, d: DecodedInsn): void {
  fpuCheck(c);
  const sw = c.fxLegacy[2] | (c.fxLegacy[3] << 8);
  if (d.hasMem) c.write(c.memLinear(d), 2, sw, 0);
  else c.setReg(RAX, 2, false, sw, 0);
}

/** Requested-feature bitmap RFBM = EDX:EAX AND XCR0 (only bits 0-1 exist here). */
function rfbm(c: CpuCore): number {
  return c.regs[RAX << 1] & c.xcr0 & 3;
}

function xsaveCheck(c: CpuCore, lin: number): void {
  if (!(c.cr4 & CR4_OSXSAVE)) throw new CpuException(VEC_UD);
  if (c.cr0 & CR0_TS) throw new CpuException(VEC_NM);
  if (lin % 64 !== 0) throw new CpuException(VEC_GP, 0);
}

/** XSAVE: writes the legacy area for the requested components and XSTATE_BV in the header. */
export function xsave(c: CpuCore, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  xsaveCheck(c, lin);
  c.probe(lin, 576, 2);
  const img = new Uint8Array(512);
  writeFxImage(c, img);
  const dv = new DataView(img.buffer);
  const mask = rfbm(c);
  // x87 state: bytes 0-159 except MXCSR (24-31); SSE state: MXCSR and XMM registers (160-415).
  for (let k = 0; k < 416; k += 4) {
    const sse = (k >= 160) || k === 24 || k === 28;
    if (mask & (sse ? 2 : 1)) c.write(lin + k, 4, dv.getUint32(k, true), 0);
  }
  const bv = c.read(lin + 512, 4);
  c.write(lin + 512, 4, ((bv & ~3) | mask) >>> 0, 0);
}

/** XRSTOR: components with XSTATE_BV clear are set to their initial state. */
export function xrstor(c: CpuCore, d: DecodedInsn): void {
  const lin = c.memLinear(d);
  xsaveCheck(c, lin);
  c.probe(lin, 576, 1);
  const mask = rfbm(c);
  const bv = c.read(lin + 512, 4);
  const img = new Uint8Array(512);
  writeFxImage(c, img);
  const dv = new DataView(img.buffer);
  for (let k = 0; k < 416; k += 4) {
    const sse = (k >= 160) || k === 24 || k === 28;
    const comp = sse ? 2 : 1;
    if (!(mask & comp)) continue;
    dv.setUint32(k, bv & comp ? c.read(lin + k, 4) : initialWord(k), true);
  }
  if (dv.getUint32(24, true) & ~0xffff) throw new CpuException(VEC_GP, 0);
  readFxImage(c, img);
}

/** Initial-state words of the legacy area: FCW=037F, MXCSR=1F80, all else 0. */
function initialWord(offset: number): number {
  if (offset === 0) return 0x037f;
  if (offset === 24) return 0x1f80;
  if (offset === 28) return 0xffbf;
  return 0;
}
