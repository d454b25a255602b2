// String instructions MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS with REP/REPE/REPNE (SDM Vol. 2B "REP/
// REPE/REPZ/REPNE/REPNZ"). REP forms run at most CHUNK iterations per execution and then re-execute
// at the same RIP, so devices get polled; a fault or KVMI event in iteration k keeps iterations
// 0..k-1 completed (rCX/rSI/rDI updated), as on hardware, and the instruction resumes later.
// Forward REP STOS over RAM fills the rest of each page in one step after the page's first element
// went through the full path (see stos).

import type { X86Cpu } from '../cpu';
import type { DecodedInsn } from '../decodedInsn';
import { DF, RAX, RCX, RDI, RDX, RSI, ZF, ES, TWO32 } from '../registers';
import { sub } from './alu';
import { checkIoPermission } from './io';
import { ACC_W } from '../mmu';

const CHUNK = 4096;

/** An index register (rSI/rDI) as an offset of the address size. */
function indexOf(c: X86Cpu, r: number, a: number): number {
  return a === 8 ? (c.regs[(r << 1) + 1] | 0) * TWO32 + c.regs[r << 1] : a === 4 ? c.regs[r << 1] : c.regs[r << 1] & 0xffff;
}

function advance(c: X86Cpu, r: number, a: number, delta: number): void {
  if (a === 8) {
    const v = indexOf(c, r, 8) + delta;
    c.regs[r << 1] = v >>> 0;
    c.regs[(r << 1) + 1] = Math.floor(v / TWO32);
  } else if (a === 4) c.regs[r << 1] = (c.regs[r << 1] + delta) >>> 0;
  else c.regs[r << 1] = (c.regs[r << 1] & 0xffff0000) | ((c.regs[r << 1] + delta) & 0xffff);
}

/** rCX of the address size as a number (exact below 2^53). */
function countOf(c: X86Cpu, a: number): number {
  return a === 8 ? c.regs[(RCX << 1) + 1] * TWO32 + c.regs[RCX << 1] : a === 4 ? c.regs[RCX << 1] : c.regs[RCX << 1] & 0xffff;
}

function decrementCount(c: X86Cpu, a: number): void {
  advance(c, RCX, a, -1);
}

/** One iteration of an operation; returns false when a REPE/REPNE termination condition is met. */
type Iteration = (c: X86Cpu, d: DecodedInsn, size: number, step: number) => void;

function sourceSeg(d: DecodedInsn): number {
  return d.segOverride >= 0 ? d.segOverride : 3;
}

/**
 * Runs `body` once, or rCX times under REP (at most CHUNK per execution). `bulk`, for unconditional
 * forward forms, may complete further iterations after each one and returns how many it did.
 */
function run(c: X86Cpu, d: DecodedInsn, body: Iteration, conditional: boolean,
  bulk?: (c: X86Cpu, size: number, a: number, limit: number) => number): void {
  const size = d.param === 1 ? 1 : d.opsize;
  const step = c.flags & DF ? -size : size;
  const a = d.adsize;
  if (!d.rep) { body(c, d, size, step); return; }
  let n = 0;
  try {
    while (countOf(c, a) !== 0) {
      if (n === CHUNK) { c.nextRip = c.rip; return; }
      body(c, d, size, step);
      decrementCount(c, a);
      n++;
      if (bulk) n += bulk(c, size, a, CHUNK - n);
      if (conditional) {
        const zf = (c.flags & ZF) !== 0;
        if ((d.rep === 0xf3 && !zf) || (d.rep === 0xf2 && zf)) return;
      }
    }
  } catch (e) {
    if (n > 0) c.commitPartial();
    throw e;
  }
}

const movsBody: Iteration = (c, d, size, step) => {
  const a = d.adsize;
  const v = c.read(c.linear(sourceSeg(d), indexOf(c, RSI, a)), size), vh = c.hi;
  c.write(c.linear(ES, indexOf(c, RDI, a)), size, v, vh);
  advance(c, RSI, a, step);
  advance(c, RDI, a, step);
};

const stosBody: Iteration = (c, d, size, step) => {
  const a = d.adsize;
  const v = c.getReg(RAX, size, false);
  c.write(c.linear(ES, indexOf(c, RDI, a)), size, v, c.hi);
  advance(c, RDI, a, step);
};

const lodsBody: Iteration = (c, d, size, step) => {
  const a = d.adsize;
  const v = c.read(c.linear(sourceSeg(d), indexOf(c, RSI, a)), size);
  c.setReg(RAX, size, false, v, c.hi);
  advance(c, RSI, a, step);
};

const cmpsBody: Iteration = (c, d, size, step) => {
  const a = d.adsize;
  const s = c.read(c.linear(sourceSeg(d), indexOf(c, RSI, a)), size), sh = c.hi;
  const t = c.read(c.linear(ES, indexOf(c, RDI, a)), size), th = c.hi;
  sub(c, size, s, sh, t, th, 0);
  advance(c, RSI, a, step);
  advance(c, RDI, a, step);
};

const scasBody: Iteration = (c, d, size, step) => {
  const a = d.adsize;
  const acc = c.getReg(RAX, size, false), ah = c.hi;
  const t = c.read(c.linear(ES, indexOf(c, RDI, a)), size), th = c.hi;
  sub(c, size, acc, ah, t, th, 0);
  advance(c, RDI, a, step);
};

const insBody: Iteration = (c, d, size, step) => {
  const a = d.adsize, port = c.regs[RDX << 1] & 0xffff, s = Math.min(size, 4) as 1 | 2 | 4;
  checkIoPermission(c, port, s);
  const lin = c.linear(ES, indexOf(c, RDI, a));
  c.probe(lin, s, 2);
  c.write(lin, s, c.ioRead(port, s), 0);
  advance(c, RDI, a, step);
};

const outsBody: Iteration = (c, d, size, step) => {
  const a = d.adsize, port = c.regs[RDX << 1] & 0xffff, s = Math.min(size, 4) as 1 | 2 | 4;
  checkIoPermission(c, port, s);
  const v = c.read(c.linear(sourceSeg(d), indexOf(c, RSI, a)), s);
  c.ioWrite(port, s, v);
  advance(c, RSI, a, step);
};

export function movs(c: X86Cpu, d: DecodedInsn): void { run(c, d, movsBody, false); }
export function stos(c: X86Cpu, d: DecodedInsn): void {
  // Forward REP STOS (zeroing .bss, memset): each element that starts a page takes the full path
  // (translation with #PF and the KVMI PF event, accessed/dirty bits, decoded-code invalidation); the
  // rest of that page is stored in one fill (fillRestOfPage), with the result of element-by-element
  // execution: same memory, rCX and rDI, same faults and events at the same element.
  run(c, d, stosBody, false, d.rep && !(c.flags & DF) ? fillRestOfPage : undefined);
}

/** Stores up to `limit` further STOS elements at rDI that lie in the page of the last one; returns how many. */
function fillRestOfPage(c: X86Cpu, size: number, a: number, limit: number): number {
  const off = indexOf(c, RDI, a);
  let k = Math.min(countOf(c, a), limit);
  if (a === 4) k = Math.min(k, Math.floor((TWO32 - off) / size));   // the offset would wrap
  else if (a === 2) k = Math.min(k, Math.floor((0x10000 - off) / size));
  if (c.codeSize !== 8) {
    const es = c.seg[ES];
    if ((es.type & 0xc) === 0x4) return 0;                            // expand-down: element by element
    k = Math.min(k, Math.floor((es.limit - off + 1) / size));
  }
  if (k <= 0) return 0;
  const lin = c.linear(ES, off);
  if ((lin & 0xfff) === 0) return 0;                                 // a new page: the full path first
  k = Math.min(k, Math.floor((4096 - (lin & 0xfff)) / size));
  if (k <= 0) return 0;
  const p = c.translateLinear(lin, ACC_W);                           // a TLB hit: the previous element's page
  if (p + k * size > c.ramSize || c.codePages[p >>> 12]) return 0;
  const lo = c.getReg(RAX, size, false), hi = size === 8 ? c.hi : 0;
  const uniform = size === 1 || (lo === 0 && hi === 0) || (lo === 0xffffffff && (size === 4 || hi === 0xffffffff))
    || (size === 2 && (lo & 0xff) === (lo >>> 8));
  if (uniform) c.ram.fill(lo & 0xff, p, p + k * size);
  else for (let i = 0; i < k; i++) c.physWrite(p + i * size, size, lo, hi);
  advance(c, RDI, a, k * size);
  advance(c, RCX, a, -k);
  return k;
}
export function lods(c: X86Cpu, d: DecodedInsn): void { run(c, d, lodsBody, false); }
export function cmps(c: X86Cpu, d: DecodedInsn): void { run(c, d, cmpsBody, true); }
export function scas(c: X86Cpu, d: DecodedInsn): void { run(c, d, scasBody, true); }
export function ins(c: X86Cpu, d: DecodedInsn): void { run(c, d, insBody, false); }
export function outs(c: X86Cpu, d: DecodedInsn): void { run(c, d, outsBody, false); }

