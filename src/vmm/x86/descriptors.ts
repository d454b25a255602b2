// Protected-mode segment loading with descriptor checks (SDM Vol. 3A 3.4-3.5, 5.5-5.8; Vol. 2 MOV
// Sreg, POP Sreg, LDS/LES/LFS/LGS/LSS): reading GDT/LDT entries, type/privilege/present checks with
// the right exception (#GP/#SS/#NP with the selector as error code) and setting the accessed bit.

import type { CpuCore } from './core';
import { CpuException } from './faults';
import { CS, LDTR, SS, VEC_GP, VEC_NP, VEC_SS, VM } from './registers';
import { isCodeType } from './segment';

/** Reads the 8-byte descriptor for `selector` as [lo, hi, linear address]; #GP(sel) beyond the table limit. */
export function readDescriptor(c: CpuCore, selector: number, vector = VEC_GP): [number, number, number] {
  const index = selector & 0xfff8;
  const ldt = (selector & 4) !== 0;
  const base = ldt ? c.seg[LDTR].base : c.gdtBase;
  const limit = ldt ? c.seg[LDTR].limit : c.gdtLimit;
  if ((ldt && c.seg[LDTR].unusable) || index + 7 > limit) throw new CpuException(vector, selector & 0xfffc);
  const lin = c.codeSize === 8 ? base + index : (base + index) >>> 0;
  const lo = c.readSystem(lin, 4);
  const hi = c.readSystem(lin + 4, 4);
  return [lo, hi, lin];
}

/** Sets the accessed bit (type bit 0) of a descriptor in memory if it is clear. */
function markAccessed(c: CpuCore, lin: number, hi: number): number {
  if (hi & 0x100) return hi;
  const n = (hi | 0x100) >>> 0;
  c.writeSystem(lin + 4, 4, n);
  return n;
}

/** Loads a data or stack segment register (DS, ES, FS, GS, SS) with a selector. */
export function loadDataSegment(c: CpuCore, s: number, selector: number): void {
  selector &= 0xffff;
  c.saveSegments();
  const seg = c.seg[s];
  if (!c.protectedMode || c.flags & VM) {
    seg.loadReal(selector);
    if (s === SS) c.updateModes();
    return;
  }
  const rpl = selector & 3;
  if ((selector & 0xfffc) === 0) {
    // Null selector: allowed for DS/ES/FS/GS; for SS only in 64-bit mode below CPL 3 (SDM Vol. 3A 5.4.1.1).
    if (s === SS && !(c.codeSize === 8 && c.cpl < 3 && rpl === c.cpl)) throw new CpuException(VEC_GP, 0);
    seg.loadNull(selector);
    if (s === SS) { seg.dpl = c.cpl; c.updateModes(); }
    return;
  }
  const [lo, hi0, lin] = readDescriptor(c, selector);
  let hi = hi0;
  const type = (hi >>> 8) & 15, sBit = (hi >>> 12) & 1, dpl = (hi >>> 13) & 3, present = (hi >>> 15) & 1;
  const err = selector & 0xfffc;
  if (s === SS) {
    if (rpl !== c.cpl || dpl !== c.cpl || sBit !== 1 || isCodeType(sBit, type) || !(type & 2)) throw new CpuException(VEC_GP, err);
    if (!present) throw new CpuException(VEC_SS, err);
  } else {
    const code = isCodeType(sBit, type);
    if (sBit !== 1 || (code && !(type & 2))) throw new CpuException(VEC_GP, err);
    const conforming = code && (type & 4) !== 0;
    if (!conforming && dpl < Math.max(c.cpl, rpl)) throw new CpuException(VEC_GP, err);
    if (!present) throw new CpuException(VEC_NP, err);
  }
  hi = markAccessed(c, lin, hi);
  seg.loadDescriptor(selector, lo, hi);
  if (s === SS) c.updateModes();
}

/**
 * Loads CS for a far JMP/CALL/RET/IRET to a code segment at privilege `newCpl` (SDM Vol. 3A 5.8.1-5.8.2).
 * Call gates and task switches are not supported and raise #GP(selector).
 */
export function loadCodeSegment(c: CpuCore, selector: number, newCpl: number | undefined, checkPrivilege = true): void {
  selector &= 0xffff;
  c.saveSegments();
  if (!c.protectedMode || c.flags & VM) {
    c.seg[CS].loadReal(selector);
    c.updateModes();
    return;
  }
  const err = selector & 0xfffc;
  if (err === 0) throw new CpuException(VEC_GP, 0);
  const [lo, hi0, lin] = readDescriptor(c, selector);
  let hi = hi0;
  const type = (hi >>> 8) & 15, sBit = (hi >>> 12) & 1, dpl = (hi >>> 13) & 3, present = (hi >>> 15) & 1;
  if (!isCodeType(sBit, type)) throw new CpuException(VEC_GP, err);
  const cpl = newCpl ?? c.cpl;
  if (checkPrivilege) {
    const conforming = (type & 4) !== 0;
    if (conforming ? dpl > cpl : dpl !== cpl) throw new CpuException(VEC_GP, err);
  }
  if (!present) throw new CpuException(VEC_NP, err);
  hi = markAccessed(c, lin, hi);
  const cs = c.seg[CS];
  cs.loadDescriptor((selector & 0xfffc) | cpl, lo, hi);
  cs.dpl = cpl;
  c.updateModes();
}
