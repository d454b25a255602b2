// Exception and interrupt delivery (SDM Vol. 3A chapter 6): the real-mode IVT (20.1.4), 32-bit
// protected-mode interrupt/trap gates with a stack switch through the TSS (6.12.1), and 64-bit
// IDT gates with IST and 16-byte stack alignment (6.14). Task gates are not supported (#GP).
// Nested faults escalate to #DF and then to a triple fault (Table 6-5), reported as CpuShutdown.

import type { CpuCore } from './core';
import { loadCodeSegment } from './descriptors';
import { CpuException, CpuShutdown } from './faults';
import {
  AC, CS, IF, NT, RF, SS, TF, TR, TWO32, VEC_DF, VEC_GP, VEC_NP, VEC_PF, VEC_TS, VM, pushesErrorCode,
} from './registers';

/** How an event reaches the IDT. */
export interface DeliveryOptions {
  errorCode?: number;
  /** INT n / INT3 / INTO: the gate DPL is checked against the CPL (SDM Vol. 3A 6.12.1.1). */
  software?: boolean;
  /** RIP to push (the faulting instruction for faults, the next one for traps and interrupts). */
  returnRip: number;
}

function isContributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

/**
 * Delivers an exception or interrupt, escalating faults raised during delivery to #DF and a
 * second fault during #DF to a triple fault (CpuShutdown).
 */
export function deliverEvent(c: CpuCore, vector: number, opts: DeliveryOptions): void {
  const rspLo = c.regs[8], rspHi = c.regs[9], flags = c.flags, rip = c.rip;
  try {
    deliverOnce(c, vector, opts);
  } catch (e) {
    if (!(e instanceof CpuException)) throw e;
    // The failed delivery is abandoned: the next one starts from the state before it.
    c.regs[8] = rspLo;
    c.regs[9] = rspHi;
    c.flags = flags;
    c.rip = rip;
    c.restoreSegments();
    if (vector === VEC_DF) throw new CpuShutdown(`triple fault: #${e.vector} while delivering #DF`);
    const benignFirst = !isContributory(vector) && vector !== VEC_PF;
    const secondSerial = !isContributory(e.vector) && e.vector !== VEC_PF;
    if (e.vector === VEC_PF && e.cr2 !== undefined) c.cr2 = e.cr2;
    if (benignFirst || secondSerial || (vector !== VEC_PF && e.vector === VEC_PF)) {
      deliverEvent(c, e.vector, { errorCode: e.errorCode, returnRip: opts.returnRip });
    } else {
      deliverEvent(c, VEC_DF, { errorCode: 0, returnRip: opts.returnRip });
    }
  }
}

function deliverOnce(c: CpuCore, vector: number, opts: DeliveryOptions): void {
  c.saveSegments();
  const code = pushesErrorCode(vector) && !opts.software ? opts.errorCode ?? 0 : undefined;
  if (!c.protectedMode) { deliverReal(c, vector, opts.returnRip); return; }
  if (c.longMode) deliverLong(c, vector, opts, code);
  else deliverProtected(c, vector, opts, code);
}

/** Real mode: push FLAGS, CS, IP and jump through the 4-byte IVT entry. */
function deliverReal(c: CpuCore, vector: number, returnRip: number): void {
  if (vector * 4 + 3 > c.idtLimit) throw new CpuException(VEC_GP, vector * 8 + 2);
  const entry = c.read((c.idtBase + vector * 4) >>> 0, 4);
  c.push(2, c.flags & 0xffff);
  c.push(2, c.seg[CS].selector);
  c.push(2, returnRip & 0xffff);
  c.flags &= ~(IF | TF | AC | RF);
  c.seg[CS].loadReal(entry >>> 16);
  c.rip = entry & 0xffff;
}

/** Reads gate `vector` (8 bytes in legacy mode, 16 in long mode); checks limit, type, DPL, present. */
function readGate(c: CpuCore, vector: number, long: boolean, software: boolean): { lo: number; hi: number; hi2: number } {
  const size = long ? 16 : 8;
  const idtErr = vector * 8 + 2;
  if (vector * size + size - 1 > c.idtLimit) throw new CpuException(VEC_GP, idtErr);
  const lin = c.idtBase + vector * size;
  const lo = c.readSystem(lin, 4), hi = c.readSystem(lin + 4, 4);
  const hi2 = long ? c.readSystem(lin + 8, 4) : 0;
  const type = (hi >>> 8) & 0x1f;
  const valid = long ? type === 0x0e || type === 0x0f : type === 0x0e || type === 0x0f || type === 0x06 || type === 0x07;
  if (!valid) throw new CpuException(VEC_GP, idtErr);
  if (software && ((hi >>> 13) & 3) < c.cpl) throw new CpuException(VEC_GP, idtErr);
  if (!(hi & 0x8000)) throw new CpuException(VEC_NP, idtErr);
  return { lo, hi, hi2 };
}

/** Reads the privilege-level stack pointer (or IST entry) from the current TSS. */
function tssRead(c: CpuCore, offset: number, size: number): number {
  const tr = c.seg[TR];
  if (tr.unusable || offset + size - 1 > tr.limit) throw new CpuException(VEC_TS, tr.selector & 0xfffc);
  return c.readSystem(c.codeSize === 8 || c.longMode ? tr.base + offset : (tr.base + offset) >>> 0, size);
}

function deliverProtected(c: CpuCore, vector: number, opts: DeliveryOptions, code: number | undefined): void {
  const { lo, hi } = readGate(c, vector, false, opts.software === true);
  const gate32 = (hi & 0x800) !== 0;
  const selector = lo >>> 16;
  const offset = gate32 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
  const targetDpl = descriptorDpl(c, selector);
  const oldCs = c.seg[CS].selector, oldFlags = c.flags, oldSs = c.seg[SS].selector;
  const oldEsp = c.regs[8];
  const w = gate32 ? 4 : 2;
  if (targetDpl < c.cpl) {
    // Inner-privilege stack from the 32-bit TSS (ESP0/SS0 at 4/8, 8 bytes per level).
    const esp = tssRead(c, 4 + targetDpl * 8, 4);
    const ss = tssRead(c, 8 + targetDpl * 8, 2);
    loadCodeSegment(c, selector, targetDpl, false);
    loadStack(c, ss, esp, targetDpl);
    c.push(w, oldSs);
    c.push(w, oldEsp);
  } else {
    loadCodeSegment(c, selector, c.cpl, false);
  }
  c.push(w, oldFlags);
  c.push(w, oldCs);
  c.push(w, opts.returnRip >>> 0);
  if (code !== undefined) c.push(w, code);
  c.flags &= ~(TF | NT | RF | VM);
  if (!(hi & 0x100)) c.flags &= ~IF;
  c.rip = offset;
  c.updateModes();
}

function deliverLong(c: CpuCore, vector: number, opts: DeliveryOptions, code: number | undefined): void {
  const { lo, hi, hi2 } = readGate(c, vector, true, opts.software === true);
  const selector = lo >>> 16;
  const offset = (hi2 | 0) * TWO32 + (((hi & 0xffff0000) | (lo & 0xffff)) >>> 0);
  const ist = hi & 7;
  const targetDpl = descriptorDpl(c, selector);
  const oldCs = c.seg[CS].selector, oldFlags = c.flags, oldSs = c.seg[SS].selector;
  const oldRsp = c.regValue(4, 8);
  let rsp: number;
  const changing = targetDpl < c.cpl;
  if (ist) rsp = read64(c, 0x24 + (ist - 1) * 8);
  else if (changing) rsp = read64(c, 4 + targetDpl * 8);
  else rsp = c.regValue(4, 8);
  rsp -= ((rsp % 16) + 16) % 16;
  loadCodeSegment(c, selector, changing ? targetDpl : c.cpl, false);
  if (!c.seg[CS].l) throw new CpuException(VEC_GP, selector & 0xfffc);
  if (changing) {
    c.seg[SS].loadNull(targetDpl);
    c.seg[SS].dpl = targetDpl;
  }
  c.stackSize = 8;
  c.setRsp(rsp);
  c.push(8, oldSs);
  c.push(8, oldRsp >>> 0, Math.floor(oldRsp / TWO32));
  c.push(8, oldFlags);
  c.push(8, oldCs);
  c.push(8, opts.returnRip >>> 0, Math.floor(opts.returnRip / TWO32));
  if (code !== undefined) c.push(8, code);
  c.flags &= ~(TF | NT | RF | VM);
  if (!(hi & 0x100)) c.flags &= ~IF;
  c.rip = offset;
  c.updateModes();
}

function read64(c: CpuCore, offset: number): number {
  const lo = tssRead(c, offset, 4), hi = tssRead(c, offset + 4, 4);
  return (hi | 0) * TWO32 + lo;
}

function descriptorDpl(c: CpuCore, selector: number): number {
  if ((selector & 0xfffc) === 0) throw new CpuException(VEC_GP, 0);
  const index = selector & 0xfff8;
  if (index + 7 > c.gdtLimit) throw new CpuException(VEC_GP, selector & 0xfffc);
  const hi = c.readSystem(c.gdtBase + index + 4, 4);
  return (hi >>> 13) & 3;
}

/** Loads SS:ESP for an inner-privilege stack switch. */
function loadStack(c: CpuCore, ss: number, esp: number, dpl: number): void {
  const [lo, hi] = readSs(c, ss);
  c.seg[SS].loadDescriptor(ss, lo, hi);
  c.seg[SS].dpl = dpl;
  c.updateModes();
  c.stackSize = c.seg[SS].db ? 4 : 2;
  c.setRsp(esp);
}

function readSs(c: CpuCore, ss: number): [number, number] {
  if ((ss & 0xfffc) === 0 || (ss & 0xfff8) + 7 > c.gdtLimit) throw new CpuException(VEC_TS, ss & 0xfffc);
  const lin = c.gdtBase + (ss & 0xfff8);
  return [c.readSystem(lin, 4), c.readSystem(lin + 4, 4)];
}

