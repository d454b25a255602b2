// Compiles a hot region of decoded instructions (those of one guest-physical page reachable from a
// head by fall-through and direct JMP/Jcc) into one JS function built with `new Function`: a loop
// over a local page offset `pc` with a `switch`, so branches and back-edges inside the region stay
// in the generated code. Instructions are inline JS (blockInline.ts) or a monomorphic call of their
// handler; status flags are deferred (regionFlags.ts). The retired count and position live in
// locals; a fault or KVMI event inside leaves RIP, RFLAGS, GPRs and the retired count exactly at
// that instruction's boundary (the catch restores them, cpu.ts step() handles the throw).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodedInsn, InsnHandler } from './decodedInsn';
import { inlineForm, linearFrom, loadAt, storeAt, wrapAddress } from './blockInline';
import { CpuException } from './faults';
import { VEC_GP } from './registers';
import { imulTruncated64, mulU64, product } from './exec/wideArith';
import { carryOf, FK_NONE, flagsCondition, fusedCondition, materializeFlags } from './regionFlags';

/** The single switch for compiled regions (the interpreter alone runs when false). */
export const BLOCKS_ENABLED = true;
/** Executions of an instruction as the start of a step before its region is compiled. */
export const HOT_THRESHOLD = 32;
/**
 * Most instructions in a region. Bounds compile time, the run-budget granularity and the function
 * size: V8 optimizes large functions late and enters them slowly until it has.
 */
export const MAX_REGION_INSNS = 64;
/**
 * Instructions one call of a region runs at most before it returns to cpu.ts runBlocks (which
 * re-enters it through its link). Short calls let V8 optimize a region again soon after a
 * deoptimization, instead of waiting for on-stack replacement inside one long call.
 */
export const REGION_SLICE = 4096;
/** Debug switch (default off): a directory the generated source of every compiled region is written to, one file per region. */
const REGION_SOURCE_DUMP = process.env.X86_REGION_SOURCE_DIR;

/** Writes one region's generated source as `<dir>/region-<n>-<head offset>.js`. */
function dumpRegionSource(dir: string, head: string, body: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `region-${dumpedRegions++}-${head}.js`), body);
}
let dumpedRegions = 0;

/** Successor links kept per region (a region with a RET or several exits has several successors). */
export const REGION_LINKS = 4;

/**
 * Handlers allowed inside a region: they change only GPRs, status flags, DF/AC and ordinary memory.
 * None does port I/O, loads segments, writes control registers or changes TF/IF/RF or the interrupt
 * shadow, so the run loop's checks between them (stop requests, interrupts, single-step trap) could
 * only change through a device callback; an MMIO access bumps core.codeEpoch and ends the region.
 */
const BODY = new Set(['aluEG', 'aluGE', 'aluAI', 'aluEI', 'testEG', 'testEI', 'testAI', 'incE', 'decE', 'incZ', 'decZ',
  'neg', 'not', 'movEG', 'movGE', 'movEI', 'movZI', 'movAO', 'movOA', 'lea', 'movzx', 'movsx', 'movsxd', 'xchgEG', 'xchgZ',
  'bswap', 'cmovcc', 'setcc', 'cbw', 'cwd', 'lahf', 'sahf', 'xlat', 'nop', 'xadd', 'cmpxchg', 'shift', 'shld', 'shrd',
  'mul', 'imul1', 'imul2', 'imul3', 'div', 'idiv', 'btG', 'btI', 'bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt',
  'pushZ', 'pushI', 'pushE', 'popZ', 'popE', 'pushf', 'leave', 'flagOp']);

/** Near branches whose target is not a constant of the instruction: they end the region (CALL/RET outside 64-bit code too). */
const TERMINATORS = new Set(['jmpNearE', 'callNear', 'callNearE', 'retNear']);

const TWO47 = 140737488355328;

/** Markers in the generated source where the register locals are stored to / reloaded from `c.regs` (around handler calls). */
const STORE_REGS = '/*store*/', LOAD_REGS = '/*load*/';

/** Handlers that touch memory without a ModRM memory operand (the stack, moffs, XLAT). */
const STACK_HANDLERS = new Set(['pushZ', 'pushI', 'pushE', 'popZ', 'popE', 'pushf', 'leave', 'movAO', 'movOA', 'xlat']);

/** How an instruction takes part in a region (see blockRole). */
export type RegionRole = 'body' | 'branch' | 'jump' | 'call' | 'ret' | 'last';

/**
 * How `d` takes part in a region: 'body' runs and falls through, 'branch' (Jcc) and 'jump' (JMP rel)
 * continue at a constant target, 'call' (CALL rel in 64-bit code) pushes the return address and
 * continues at its target, 'ret' (RET in 64-bit code) continues at the popped address when it is
 * a label of the region, 'last' leaves the region after running; undefined: not in regions.
 */
export function blockRole(d: DecodedInsn): RegionRole | undefined {
  const h = d.entry.handler;
  if (d.rep !== 0 || d.lock) return undefined;
  if (BODY.has(h)) return 'body';
  if (h === 'jcc') return 'branch';
  if (h === 'jmpNear') return 'jump';
  if (h === 'callNear' && d.mode === 8) return 'call';
  if (h === 'retNear' && d.mode === 8 && d.entry.op === 0xc3) return 'ret';
  if (TERMINATORS.has(h)) return 'last';
  return undefined;
}

/** Page offset of the target of a Jcc/JMP/CALL rel at page offset `off`, or undefined if RIP could be truncated (16-bit operand size). */
export function branchTarget(d: DecodedInsn, off: number): number | undefined {
  if (d.mode !== 8 && d.opsize !== 4) return undefined;
  return off + d.len + d.imm;
}

/**
 * The run-loop state the generated code reads and writes (fields of X86Cpu). A region runs only
 * when TF, RF, the interrupt shadow, KVMI permits and answered events are all clear (see cpu.ts).
 */
export interface BlockHost {
  readonly ram: Uint8Array;
  readonly dv: DataView;
  readonly ramSize: number;
  readonly cpl: number;
  readonly tlbTag: Float64Array;
  readonly tlbPhys: Float64Array;
  readonly tlbPerm: Uint8Array;
  readonly codePages: Uint8Array;
  hi: number;
  linear(seg: number, ea: number): number;
  read(lin: number, size: number): number;
  write(lin: number, size: number, lo: number, hi: number): void;
  rip: number;
  nextRip: number;
  flags: number;
  instructions: number;
  codeEpoch: number;
  codeGeneration: number;
  savedRip: number;
  savedFlags: number;
  snapshotTaken: boolean;
  readonly regs: Uint32Array;
  readonly regsI32: Int32Array;
  readonly savedI32: Int32Array;
}

/**
 * Runs the region from its label at page offset `at` (the head or another entry), which is at RIP `rip`, retiring at most `left` instructions (the caller
 * guarantees left >= maxRun). Returns at an instruction boundary: at a target outside the region,
 * after a terminator, when the budget could be exceeded, or after a device callback or code write.
 */
export type BlockFn = (c: BlockHost, rip: number, left: number, at: number) => void;

/** When a region's bytes last matched guest memory; shared by the region and its entry views. */
export class RegionCheck {
  constructor(public epoch: number) {}
}

export class CompiledBlock {
  /** The code epoch in which every instruction's bytes last matched guest memory (one check for the region and its entry views). */
  get verifiedEpoch(): number { return this.check.epoch; }
  set verifiedEpoch(epoch: number) { this.check.epoch = epoch; }
  /** The verification record, shared with the region's entry views (same function, same bytes). */
  readonly check: RegionCheck;
  /** Number of instructions. */
  readonly size: number;
  /** Lowest page offset and end of the highest instruction (RIPs must not wrap in 32-bit code). */
  readonly minOffset: number;
  readonly endOffset: number;
  /** Successor regions by exit RIP, valid for one TLB and code generation, re-checked once per code epoch (cpu.ts runBlocks). */
  readonly links: RegionLink[] = Array.from({ length: REGION_LINKS }, () => new RegionLink());
  /** The slot the next new link replaces (round robin). */
  nextLink = 0;

  constructor(
    /** The instructions, head first. */
    readonly insns: DecodedInsn[],
    /** Page offsets of the instructions (all in one guest-physical page). */
    readonly offsets: number[],
    readonly run: BlockFn,
    epoch: number,
    /** Most instructions the function runs between two budget checks (it needs at least this budget). */
    readonly maxRun: number,
    /** Page offsets where the function can be entered (its switch labels; the head first). */
    readonly labels: readonly number[] = [offsets[0]],
    /** The region this is an entry view of (its verification record is shared). */
    of?: CompiledBlock,
  ) {
    this.check = of?.check ?? new RegionCheck(epoch);
    this.size = insns.length;
    this.minOffset = Math.min(...offsets);
    this.endOffset = Math.max(...offsets.map((o, k) => o + insns[k].len));
    // The instruction bytes as one image from minOffset, and the covered runs of it (start, length).
    const covered = new Uint8Array(this.endOffset - this.minOffset);
    this.image = new Uint8Array(covered.length);
    insns.forEach((d, k) => { this.image.set(d.raw, offsets[k] - this.minOffset); covered.fill(1, offsets[k] - this.minOffset, offsets[k] - this.minOffset + d.len); });
    const spans: number[] = [];
    for (let i = 0; i < covered.length; i++) {
      if (covered[i] && (i === 0 || !covered[i - 1])) spans.push(i, 0);
      if (covered[i]) spans[spans.length - 1]++;
    }
    this.spans = Int32Array.from(spans);
  }

  /** The bytes of every instruction, placed at their page offset minus minOffset. */
  readonly image: Uint8Array;
  /** Runs of `image` covered by instructions: (start, length) pairs. */
  readonly spans: Int32Array;
}

/**
 * The same region entered at its `k`-th instruction, a label of its switch (a return site or a branch
 * target): a region arrived at there runs the existing function instead of compiling a copy of the
 * code that follows. The instruction lists are rotated so that `insns[0]`, `offsets[0]` are the entry
 * (cpu.ts reads the entry from them); the byte image is that of the same instructions, and the bytes
 * are compared with RAM once per code epoch for the region and all its views.
 */
export function regionEntry(block: CompiledBlock, k: number): CompiledBlock {
  const rotate = <T>(a: readonly T[]): T[] => [...a.slice(k), ...a.slice(0, k)];
  return new CompiledBlock(rotate(block.insns), rotate(block.offsets), block.run, block.verifiedEpoch, block.maxRun, block.labels, block);
}

/** A cached successor: leaving a region at `rip` enters `block` without a fetch. */
export class RegionLink {
  rip = NaN;
  block: CompiledBlock | undefined = undefined;
  /** Guest-physical address of the successor's head. */
  phys = 0;
  epoch = -1;
  tlbGeneration = -1;
  codeGeneration = -1;
  /** What the RIP -> physical mapping of the fetch also depended on. */
  cpl = -1;
  codeSize = 0;
  csBase = 0;
}

function generalProtection(): never {
  throw new CpuException(VEC_GP, 0);
}

/** Generation-time view of one instruction. */
interface Node { d: DecodedInsn; off: number; k: number; role: RegionRole }

/**
 * An inner loop of the generated code: the emitted instructions `first`..`backEdge` (indexes in
 * offset order), where `backEdge` is a Jcc or JMP back to `target`, the offset of `first`. It is
 * emitted as a JS loop with its own switch over its `labels`, so the back-edge does not pass
 * through the region's switch.
 */
interface InnerLoop { first: number; backEdge: number; target: number; labels: number[] }

/**
 * The inner loops of a region: backward Jcc/JMP whose range of emitted instructions contains no
 * other chosen loop (the shortest ranges are chosen first).
 */
function innerLoops(sorted: Node[], labels: Set<number>, inRegion: (off: number | undefined) => off is number): InnerLoop[] {
  const index = new Map(sorted.map((n, i) => [n.off, i]));
  const candidates: InnerLoop[] = [];
  sorted.forEach((n, i) => {
    if (n.role !== 'branch' && n.role !== 'jump') return;
    const t = branchTarget(n.d, n.off);
    if (!inRegion(t) || t > n.off) return;
    const first = index.get(t)!;
    const inside = sorted.slice(first, i + 1).map((m) => m.off).filter((off) => labels.has(off));
    candidates.push({ first, backEdge: i, target: t, labels: inside });
  });
  candidates.sort((a, b) => (a.backEdge - a.first) - (b.backEdge - b.first));
  const chosen: InnerLoop[] = [];
  for (const c of candidates) {
    if (chosen.every((o) => c.backEdge < o.first || c.first > o.backEdge)) chosen.push(c);
  }
  return chosen;
}

/** Static knowledge of the deferred flags at a point of the generated code: a kind, or unknown. */
const UNKNOWN = -1;

/**
 * Generates the region function for `insns` at page offsets `offsets` (the head first).
 * Every instruction of the list must have a role (blockRole).
 */
export function compileBlock(insns: DecodedInsn[], offsets: number[], epoch: number): CompiledBlock {
  const head = offsets[0];
  const nodes: Node[] = insns.map((d, k) => ({ d, off: offsets[k], k, role: blockRole(d)! }));
  const byOffset = new Map<number, Node>(nodes.map((n) => [n.off, n]));
  const sorted = [...nodes].sort((a, b) => a.off - b.off);
  const inRegion = (off: number | undefined): off is number => off !== undefined && byOffset.has(off);

  // The longest straight run of the generated code: instructions falling through to the next one
  // emitted, up to a jump back to the switch (with its budget check) or an exit.
  let maxRun = 0, chain = 0;
  sorted.forEach((n, i) => {
    chain++;
    maxRun = Math.max(maxRun, chain);
    const falls = (n.role === 'body' || n.role === 'branch') && sorted[i + 1]?.off === n.off + n.d.len;
    if (!falls) chain = 0;
  });

  // Case labels: the head, in-region jump targets and fall-through targets not emitted right after their predecessor.
  const labels = new Set<number>([head]);
  sorted.forEach((n, i) => {
    const next = sorted[i + 1];
    const fall = n.off + n.d.len;
    if ((n.role === 'body' || n.role === 'branch') && inRegion(fall) && next?.off !== fall) labels.add(fall);
    if (n.role === 'branch' || n.role === 'jump' || n.role === 'call') {
      const t = branchTarget(n.d, n.off);
      if (inRegion(t)) labels.add(t);
    }
    // Return sites: a RET continues there through the switch.
    if (n.role === 'call' && inRegion(fall)) labels.add(fall);
  });

  const names: string[] = ['mat', 'carryOf', 'HP', 'SP', 'gp', 'mulU64', 'pr', 'wrapAddress', 'im'];
  const handlerPcs = new Set<number>(), snapshotPcs = new Set<number>();
  const values: unknown[] = [materializeFlags, carryOf, handlerPcs, snapshotPcs, generalProtection, mulU64, product, wrapAddress, imulTruncated64];
  const out: string[] = [];
  let known: number = UNKNOWN;
  /** Register-only instructions retired since `n` was last updated (added before anything can throw or leave). */
  let pending = 0;
  const count = (): string => {
    const src = pending === 0 ? '' : `n += ${pending};`;
    pending = 0;
    return src;
  };

  /** Makes c.flags exact (fk = 0) from here on. */
  const flush = (): string => {
    const src = known === FK_NONE ? '' : known === UNKNOWN
      ? 'if (fk !== 0) { c.flags = mat(c.flags, fk, fa, fb, fah, fbh); fk = 0; }'
      : `c.flags = mat(c.flags, ${known}, fa, fb, fah, fbh); fk = 0;`;
    known = FK_NONE;
    return src;
  };
  /** Continues at in-region offset `t` (a jump back to the switch, with the budget check) or leaves at `t`. */
  const goTo = (t: number, within: boolean): string => within ? `pc = ${t}; if (n > lim) break L; continue L;` : `pc = ${t}; break L;`;
  /** A back-edge of an inner loop (innerLoops): continues the inner loop instead of the outer switch. */
  const goBack = (t: number): string => `pc = ${t}; if (n > lim) break L; continue;`;
  const loops = innerLoops(sorted, labels, inRegion);
  const loopAt = new Map(loops.map((l) => [l.first, l]));
  let loop: InnerLoop | undefined;
  const jumpTo = (t: number, from: number): string => loop !== undefined && from === loop.backEdge && t === loop.target ? goBack(t) : goTo(t, true);
  const here = (n: Node): string => `base + ${n.off}`;
  /** Calls the handler of `n` with the run loop's per-instruction state (RIP, next RIP, restore point). */
  const call = (n: Node): string => {
    names.push(`h${n.k}`, `d${n.k}`);
    values.push(n.d.exec as InsnHandler<unknown>, n.d);
    handlerPcs.add(n.off);
    let src = `pc = ${n.off}; c.rip = ${here(n)}; c.nextRip = ${here(n)} + ${n.d.len}; c.savedFlags = c.flags;`;
    if (!n.d.faultSafe) { src += ' c.savedI32.set(c.regsI32);'; snapshotPcs.add(n.off); }
    // A handler may fill or replace TLB entries: the region's cached read/write pages are dropped.
    // Guest registers live in locals: stored for the handler, reloaded after it.
    return `${STORE_REGS} ${src} h${n.k}(c, d${n.k}); ${LOAD_REGS} n++; rp = wp = NaN;`;
  };
  const epochCheck = (next: number): string => `if (c.codeEpoch !== e || c.codeGeneration !== g) { pc = ${next}; break L; }`;
  /** The epoch check after inline accesses: only needed when one of them left the TLB fast path. */
  const slowCheck = (next: number): string => `if (sw) { sw = false; ${epochCheck(next)} }`;

  const emit = (n: Node, i: number): void => {
    const starts = loopAt.get(i);
    if (starts !== undefined) {
      // The outer switch enters the inner loop at any of its labels, the code before it by falling
      // through at its first instruction; the inner switch goes on from there.
      loop = starts;
      out.push(count(), i === 0 ? '' : `pc = ${starts.target};`, starts.labels.map((l) => `case ${l}:`).join(' '), 'for (;;) {', 'switch (pc) {');
    }
    if (labels.has(n.off)) { out.push(count(), `case ${n.off}:`); known = UNKNOWN; }
    const d = n.d, fall = n.off + d.len;
    const nextEmitted = sorted[i + 1]?.off;
    const fallThrough = (): string => inRegion(fall) && nextEmitted === fall ? '' : count() + goTo(fall, inRegion(fall));
    switch (n.role) {
      case 'body': {
        const carry = known === FK_NONE ? '(c.flags & 1)' : `carryOf(c.flags, ${known === UNKNOWN ? 'fk' : known}, fa, fb, fah, fbh)`;
        // SETcc/CMOVcc: fused with the deferred producer when possible, like Jcc.
        let cond: string | undefined;
        if (d.entry.handler === 'setcc' || d.entry.handler === 'cmovcc') {
          cond = known > 0 ? fusedCondition(known, d.param) : undefined;
          if (cond === undefined) { out.push(flush()); cond = flagsCondition('c.flags', d.param); }
        }
        const form = inlineForm(d, { rip: here(n), carry, cond });
        if (form !== undefined) {
          if (form.memory) out.push(count(), `pc = ${n.off}; { ${form.src} } n++;`);
          else { out.push(`{ ${form.src} }`); pending++; }
          if (form.kind !== 0) known = form.kind; // -1: set only on some paths (a shift by CL of 0 keeps the flags)
          if (form.memory) out.push(slowCheck(fall));
        } else {
          out.push(flush(), count(), call(n));
          if (d.hasMem || STACK_HANDLERS.has(d.entry.handler)) out.push(epochCheck(fall));
        }
        out.push(fallThrough());
        return;
      }
      case 'branch': {
        const t = branchTarget(d, n.off);
        let cond = known > 0 ? fusedCondition(known, d.param) : undefined;
        if (cond === undefined) { out.push(flush()); cond = flagsCondition('c.flags', d.param); }
        if (inRegion(t)) out.push(`if (${cond}) { n += ${pending + 1}; ${jumpTo(t, i)} }`);
        else {
          const saved = known;
          out.push(`if (${cond}) { ${flush()} ${pending === 0 ? '' : `n += ${pending};`} ${call(n)} xr = c.nextRip; pc = -1; break L; }`);
          known = saved;
        }
        pending++;
        out.push(fallThrough());
        return;
      }
      case 'jump': {
        const t = branchTarget(d, n.off);
        pending++;
        if (inRegion(t)) out.push(count(), jumpTo(t, i));
        else { pending--; out.push(flush(), count(), call(n), 'xr = c.nextRip; pc = -1; break L;'); }
        return;
      }
      case 'call': {
        const t = branchTarget(d, n.off);
        if (!inRegion(t)) { out.push(flush(), count(), call(n), 'xr = c.nextRip; pc = -1; break L;'); return; }
        out.push(count());
        // PUSH of the return address (memory before RSP, SDM Vol. 2A CALL), then the target.
        out.push(`pc = ${n.off}; { const ra = ${here(n)} + ${d.len}, rl = ra >>> 0, rh = Math.floor(ra / 4294967296) >>> 0, sp = (r[9] | 0) * 4294967296 + r[8] - 8;`
          + ` ${storeAt(linearFrom(2, 'sp', true), 8, 'rl', 'rh')} r[8] = sp >>> 0; r[9] = Math.floor(sp / 4294967296) >>> 0; } n++;`,
        slowCheck(t), goTo(t, true));
        return;
      }
      case 'ret':
        // POP of the target (SDM Vol. 2B RET); a non-canonical target is #GP(0) with RSP unchanged.
        out.push(count(), `pc = ${n.off}; { const sp = (r[9] | 0) * 4294967296 + r[8]; ${loadAt(linearFrom(2, 'sp', true), 8, 'lo', 'hi')}`
          + ` const t = (hi | 0) * 4294967296 + lo; if (t < ${-TWO47} || t >= ${TWO47}) gp();`
          + ' const np = sp + 8, o = t - base; r[8] = np >>> 0; r[9] = Math.floor(np / 4294967296) >>> 0; n++;'
          + ' if (o >= 0 && o < 4096) pc = o | 0; else { xr = t; pc = -1; break L; } }',
        'if (sw) { sw = false; if (c.codeEpoch !== e || c.codeGeneration !== g) break L; }', 'if (n > lim) break L; continue L;');
        known = UNKNOWN;
        return;
      case 'last':
        out.push(flush(), count(), call(n), 'xr = c.nextRip; pc = -1; break L;');
        return;
    }
  };
  sorted.forEach((n, i) => {
    emit(n, i);
    // After the back-edge: a branch not taken leaves the inner switch and loop and falls through.
    if (loop !== undefined && i === loop.backEdge) { out.push('}', 'break;', '}'); loop = undefined; }
  });

  // The GPR halves the inline code uses become locals g<N> (r[N] of the region's source text).
  const code = out.filter((l) => l !== '').join('\n');
  const used = [...new Set([...code.matchAll(/\br\[(\d+)\]/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const store = used.map((h) => `r[${h}] = g${h};`).join(' '), load = used.map((h) => `g${h} = r[${h}];`).join(' ');
  const local = code.replace(/\br\[(\d+)\]/g, 'g$1').split(STORE_REGS).join(store).split(LOAD_REGS).join(load);
  const declare = used.length === 0 ? '' : `let ${used.map((h) => `g${h} = r[${h}]`).join(', ')};`;
  const body = `return function region(c, rip, left, at) {
const r = c.regs, e = c.codeEpoch, g = c.codeGeneration, i0 = c.instructions, lim = (left < ${REGION_SLICE} ? left : ${REGION_SLICE}) - ${maxRun}, base = rip - at;
const tt = c.tlbTag, tp = c.tlbPhys, tm = c.tlbPerm, ram = c.ram, dv = c.dv, cp = c.codePages, rs = c.ramSize - 4096, rn = c.cpl === 3 ? 8 : 1, wn = rn * 2;
let pc = at, xr = 0, n = 0, fk = 0, fa = 0, fb = 0, fah = 0, fbh = 0, sw = false, rp = NaN, rq = 0, wp = NaN, wq = 0;
${declare}
try {
L: for (;;) {
switch (pc) {
${local}
default: break L;
}
break L;
}
} catch (x) {
${store}
if (fk !== 0) c.flags = mat(c.flags, fk, fa, fb, fah, fbh);
c.rip = c.savedRip = base + pc;
if (!HP.has(pc)) c.savedFlags = c.flags;
c.snapshotTaken = SP.has(pc);
c.instructions = i0 + n;
throw x;
}
${store}
c.rip = pc >= 0 ? base + pc : xr;
c.instructions = i0 + n;
if (fk !== 0) c.flags = mat(c.flags, fk, fa, fb, fah, fbh);
};`;
  if (REGION_SOURCE_DUMP !== undefined) dumpRegionSource(REGION_SOURCE_DUMP, head.toString(16), body);
  const factory = new Function(...names, body) as (...a: unknown[]) => BlockFn;
  return new CompiledBlock(insns, offsets, factory(...values), epoch, maxRun, [...labels].sort((a, b) => a - b));
}
