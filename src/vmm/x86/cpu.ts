// X86Cpu: one software vCPU as the machine sees it (the contract between src/vmm/x86 and the
// machine): run() executes guest instructions until an exit, resume() answers KVMI events, and the
// state accessors speak the kvm_regs/kvm_sregs shapes of kvmState.ts. Execution state, MMU and
// operand helpers live in core.ts; instruction fetch with the decoded-instruction cache is here.

import { CpuCore } from './core';
import { DecodedInsn } from './decodedInsn';
import { decode } from './decoder';
import {
  BLOCKS_ENABLED, blockRole, branchTarget, compileBlock, CompiledBlock, HOT_THRESHOLD, MAX_REGION_INSNS, REGION_LINKS, regionEntry, type RegionLink,
} from './blockCompiler';
import { bindHandler } from './dispatch';
import { CpuException, CpuShutdown, DecodeFault, KvmiAccessEvent } from './faults';
import { deliverEvent } from './interrupts';
import { ACC_X } from './mmu';
import { CS, IF, RF, TF, VEC_BP, VEC_DB, VEC_GP, VEC_PF, VEC_UD } from './registers';
import { InterceptExit } from './intercept';
import { CpuStateAccess } from './cpuState';
import type { KvmRegs, KvmSregs, KvmiEventMsrs } from './kvmState';

/** Guest-physical memory and devices the CPU executes against. */
export interface CpuBus {
  ram: Uint8Array;                 // guest-physical RAM from 0; may be a view over a SharedArrayBuffer
  ioRead(port: number, size: 1 | 2 | 4): number;
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void;
  mmioRead(gpa: number, size: 1 | 2 | 4 | 8): bigint;   // physical addresses not backed by ram
  mmioWrite(gpa: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

/** What the introspection side asked to intercept on this vCPU (KVMI vCPU events). */
export interface CpuIntercepts {
  pf: boolean;                 // KVMI_VCPU_EVENT_PF enabled on this vCPU
  breakpoint: boolean;         // INT3 -> 'breakpoint' exit instead of #BP delivery
  hypercall: boolean;          // VMCALL/VMMCALL always exit as 'hypercall' (the VMM answers)
  crWrite: Set<number>;        // CR numbers (0, 3, 4) whose writes exit as 'cr'
  msrWrite: Set<number>;       // MSR indices whose WRMSR exits as 'msr'
  descriptor: boolean;         // LGDT/LIDT/LLDT/LTR/SGDT/SIDT/SLDT/STR exit as 'descriptor'
  xsetbv: boolean;
  singlestep: boolean;         // a 'singlestep' exit after every instruction
}

/** Why run() returned. Event exits (pf ... singlestep) are answered with resume() before the next run(). */
export type CpuExit =
  | { kind: 'budget' }
  | { kind: 'stopRequested' }
  | { kind: 'hlt' }
  | { kind: 'shutdown'; reason: string }
  | { kind: 'pf'; gva: bigint; gpa: bigint; access: 1 | 2 | 4 }
  | { kind: 'breakpoint'; gpa: bigint; insnLen: number }
  | { kind: 'hypercall' }
  | { kind: 'cr'; cr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'msr'; msr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'xsetbv'; xcr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'descriptor'; descriptor: 1 | 2 | 3 | 4; write: boolean }
  | { kind: 'singlestep' };

/** A fresh intercept set with nothing intercepted. */
export function noIntercepts(): CpuIntercepts {
  return { pf: false, breakpoint: false, hypercall: false, crWrite: new Set(), msrWrite: new Set(),
    descriptor: false, xsetbv: false, singlestep: false };
}

/** An answered event waiting to be applied by the next run(). */
interface PendingAnswer {
  exit: CpuExit;
  action: 'continue' | 'retry';
  newValue?: bigint;
}

export class X86Cpu extends CpuCore {
  /** Retired instruction count. */
  instructions = 0;
  /** Next instruction address (handlers that branch write it). */
  nextRip = 0;
  /** HLT executed and no interrupt delivered since. */
  halted = false;
  /** Vectors queued by raiseInterrupt(), delivered when RFLAGS.IF allows. */
  readonly pendingVectors: number[] = [];
  /** Level of the legacy INTR line and the acknowledge callback that yields its vector (PIC). */
  private irqLine = false;
  private irqAcknowledge: (() => number) | undefined;
  /** An exception queued by injectException() or by resume() of a breakpoint. */
  private pendingException: { vector: number; errorCode?: number; cr2?: number; returnRip?: number } | undefined;
  /** The last event exit, until answered by resume(). */
  private lastEvent: CpuExit | undefined;
  /** The answered event applied while re-executing the instruction that raised it. */
  answered: PendingAnswer | undefined;
  private stopFlag = false;
  /** Restore point of the current instruction (also written by compiled blocks, blockCompiler.ts). */
  savedRip = 0;
  /** savedRegs holds the GPRs of the current instruction's start (see step()). */
  snapshotTaken = false;
  savedFlags = 0;
  /** Bumped whenever a page of cached code is dropped (compiled blocks stop at the next boundary). */
  codeGeneration = 0;
  /** Compiled blocks may run (BLOCKS_ENABLED must also be set); false runs the interpreter only. */
  blocksEnabled = true;
  /** Blocks compiled so far (diagnostics and tests). */
  blocksCompiled = 0;
  /**
   * Where sequential execution from the last interpreted instruction that regions can hold continues
   * (NaN after a region, a jump or an instruction regions cannot hold). An instruction reached that
   * way does not count towards compiling a region: it is the first of a run() slice, the budget's
   * tail run one by one, or a not yet hot run, and would start a region at an arbitrary point.
   */
  private fallRip = NaN;
  /** Run-loop iterations the last step() used: 1, or a block's instructions (+1 if it ended in a throw). */
  private stepIterations = 1;
  /**
   * run() returns (as 'budget') after the instruction that leaves the vCPU at CPL 3: a hybrid engine
   * runs guest kernel code here and hands ring-3 code to hardware (src/vmm/kvm/kvmCpuCore.ts).
   */
  stopAtUserMode = false;
  private stepStart = 0;
  /** Guest-physical address and cached page of the instruction fetch() returned last (page undefined if uncached). */
  private fetchedPhys = 0;
  private fetchedPage: (DecodedInsn | undefined)[] | undefined;
  private readonly codeCache = new Map<number, (DecodedInsn | undefined)[]>();
  /** Translation of the last code page fetched from (valid while the TLB generation and CPL match). */
  private fetchPageLin = NaN;
  private fetchPagePhys = 0;
  private fetchGeneration = -1;
  private fetchCpl = -1;
  /** The last code page looked up (most instructions come from the same page as the previous one). */
  private lastCodeGfn = -1;
  private lastCodePage: (DecodedInsn | undefined)[] | undefined;
  private readonly fetchBuf = new Uint8Array(16);
  readonly regsI32 = new Int32Array(this.regs.buffer);
  readonly savedI32 = new Int32Array(this.savedRegs.buffer);
  /** Architectural state helpers (MSRs, CPUID, XSAVE image); see cpuState.ts. */
  readonly state: CpuStateAccess = new CpuStateAccess(this);

  constructor(bus: CpuBus, access: Uint8Array) {
    super(bus, access, noIntercepts());
    this.reset();
  }

  // ---- execution ----
  /** Executes up to `maxInstructions` instructions; returns why it stopped. */
  run(maxInstructions: number): CpuExit {
    this.stopFlag = false;
    this.fallRip = this.rip;
    // Other vCPUs and the machine may have written guest memory since the last slice.
    this.codeEpoch++;
    let left = maxInstructions;
    while (left > 0) {
      if (this.stopFlag) { this.stopFlag = false; return { kind: 'stopRequested' }; }
      if (this.pendingException) {
        const exit = this.deliverPending();
        if (exit) return exit;
      }
      if (this.interruptShadow === 0 && this.flags & IF && (this.pendingVectors.length || this.irqLine)) {
        try {
          this.deliverExternalInterrupt();
        } catch (e) {
          const exit = this.exitFromThrow(e);
          if (exit) return exit;
        }
      }
      if (this.halted) return { kind: 'hlt' };
      const trap = this.flags & TF;
      const retired = this.instructions;
      const exit = this.step(left);
      if (exit) return exit;
      left -= this.stepIterations;
      if (trap && this.instructions !== retired) this.queueSingleStepTrap();
      if (this.intercepts.singlestep) return this.event({ kind: 'singlestep' });
      if (this.stopAtUserMode && this.cpl === 3) return { kind: 'budget' };
    }
    return { kind: 'budget' };
  }

  /** RFLAGS.TF was set when the instruction started: a #DB trap follows it (SDM Vol. 3A 18.3.1.4). */
  private queueSingleStepTrap(): void {
    this.dr[6] |= 0x4000n; // DR6.BS
    this.pendingException ??= { vector: VEC_DB, returnRip: this.rip };
  }

  /** Delivers a queued exception; a KVMI event during delivery keeps it queued for the next run(). */
  private deliverPending(): CpuExit | undefined {
    const p = this.pendingException!;
    this.savedRegs.set(this.regs);
    this.snapshotTaken = true;
    this.segSaved = false;
    this.savedRip = this.rip;
    this.savedFlags = this.flags;
    try {
      if (p.cr2 !== undefined) this.cr2 = p.cr2;
      this.halted = false;
      deliverEvent(this, p.vector, { errorCode: p.errorCode, returnRip: p.returnRip ?? this.rip });
      this.pendingException = undefined;
      if (this.permits.length) this.permits = [];
      return undefined;
    } catch (e) {
      if (e instanceof KvmiAccessEvent) return this.exitFromThrow(e);
      this.pendingException = undefined;
      return this.shutdownFrom(e);
    }
  }

  /**
   * Executes one instruction, or a compiled block of at most `left` instructions starting here;
   * returns an exit or undefined. stepIterations tells run() how many budget units were used.
   */
  private step(left: number): CpuExit | undefined {
    this.savedRip = this.rip;
    this.savedFlags = this.flags;
    this.snapshotTaken = false;
    this.segSaved = false;
    this.stepIterations = 1;
    this.stepStart = this.instructions;
    try {
      const d = this.fetch();
      if (BLOCKS_ENABLED && (d.block !== undefined || (this.rip !== this.fallRip && ++d.hits >= HOT_THRESHOLD)) && this.blockAllowed()) {
        const block = d.block ?? this.buildBlock(d);
        if (block !== undefined && block.maxRun <= left && this.blockUsable(block)) {
          this.stepIterations = 0;
          this.runBlocks(block, left);
          this.stepIterations = this.instructions - this.stepStart;
          this.fallRip = NaN;
          return undefined;
        }
      }
      // Handlers not known to finish all faulting accesses before writing a GPR get a snapshot.
      if (!d.faultSafe) { this.savedI32.set(this.regsI32); this.snapshotTaken = true; }
      this.nextRip = this.codeSize === 8 ? this.rip + d.len : this.codeSize === 4 ? (this.rip + d.len) >>> 0 : (this.rip + d.len) & 0xffff;
      this.fallRip = blockRole(d) === undefined ? NaN : this.nextRip;
      d.exec(this, d);
      this.rip = this.nextRip;
      this.instructions++;
      if (this.permits.length) this.permits = [];
      this.answered = undefined;
      if (this.interruptShadow > 0) this.interruptShadow--;
      this.flags &= ~RF;
      return undefined;
    } catch (e) {
      // A block that ends in a throw used one iteration per retired instruction and one for the throw.
      if (this.stepIterations === 0) this.stepIterations = this.instructions - this.stepStart + 1;
      return this.exitFromThrow(e);
    }
  }

  /**
   * Runs `first`, then the compiled regions that follow it, while no device callback or code write
   * happened (either could make the run loop's checks fire: stop request, interrupt, new code) and
   * the budget `left` covers the next region. A region left at a RIP it left at before in this TLB and
   * code generation (and CPL, code size, CS base) enters the same successor without a fetch (the
   * link on the region); in a new code epoch the successor's bytes are compared with RAM first.
   * A fetch that faults here is handled by step().
   */
  private runBlocks(first: CompiledBlock, left: number): void {
    const epoch = this.codeEpoch, generation = this.codeGeneration;
    let block = first;
    for (;;) {
      block.run(this, this.rip, left - (this.instructions - this.stepStart), block.offsets[0]);
      if (this.codeEpoch !== epoch || this.codeGeneration !== generation) return;
      const rip = this.rip, links = block.links;
      let next: CompiledBlock | undefined;
      let link: RegionLink | undefined;
      for (let k = 0; k < REGION_LINKS; k++) if (links[k].rip === rip) { link = links[k]; break; }
      if (link !== undefined && link.tlbGeneration === this.tlbGeneration && link.codeGeneration === generation
        && (link.epoch === epoch || this.linkStillValid(link, epoch))) {
        next = link.block;
      } else {
        this.savedRip = rip;
        this.savedFlags = this.flags;
        this.snapshotTaken = false;
        next = this.fetch().block;
        if (next === undefined || !this.blockUsable(next)) return;
        const slot = links[block.nextLink];
        block.nextLink = (block.nextLink + 1) % REGION_LINKS;
        slot.rip = rip;
        slot.block = next;
        slot.phys = this.fetchedPhys;
        slot.epoch = epoch;
        slot.tlbGeneration = this.tlbGeneration;
        slot.codeGeneration = generation;
        slot.cpl = this.cpl;
        slot.codeSize = this.codeSize;
        slot.csBase = this.seg[CS].base;
      }
      if (next === undefined || next.maxRun > left - (this.instructions - this.stepStart)) return;
      block = next;
    }
  }

  /**
   * Compiled blocks skip the run loop's checks between instructions, so they run only while those
   * checks cannot fire: no single-step intercept or TF trap, RF and the interrupt shadow clear, no
   * KVMI permit or answered event pending for the current instruction, and 32/64-bit code.
   */
  private blockAllowed(): boolean {
    return this.blocksEnabled && !this.intercepts.singlestep && (this.flags & (TF | RF)) === 0 && this.interruptShadow === 0
      && this.permits.length === 0 && this.answered === undefined && this.codeSize !== 2;
  }

  /** A link made in an earlier code epoch: same fetch context and the successor's bytes unchanged. */
  private linkStillValid(link: RegionLink, epoch: number): boolean {
    if (link.cpl !== this.cpl || link.codeSize !== this.codeSize || link.csBase !== this.seg[CS].base) return false;
    const block = link.block!;
    if (block.verifiedEpoch !== epoch && !this.imageMatches(block, link.phys - block.offsets[0])) return false;
    block.verifiedEpoch = epoch;
    link.epoch = epoch;
    return true;
  }

  /** True if the block's bytes still match RAM in this code epoch and its RIPs do not wrap. */
  private blockUsable(block: CompiledBlock): boolean {
    if (this.codeSize === 4) {
      const base = this.rip - block.offsets[0];
      if (base + block.minOffset < 0 || base + block.endOffset > 0x100000000) return false;
    }
    const epoch = this.codeEpoch;
    if (block.verifiedEpoch === epoch) return true;
    if (!this.imageMatches(block, this.fetchedPhys - block.offsets[0])) {
      block.insns[0].block = undefined;
      block.insns[0].hits = 0;
      return false;
    }
    block.verifiedEpoch = epoch;
    return true;
  }

  /** Compares the region's instruction bytes with RAM of the page at guest-physical `pageBase`. */
  private imageMatches(block: CompiledBlock, pageBase: number): boolean {
    const ram = this.ram, image = block.image, spans = block.spans, at = pageBase + block.minOffset;
    for (let s = 0; s < spans.length; s += 2) {
      for (let i = spans[s], end = spans[s] + spans[s + 1]; i < end; i++) if (ram[at + i] !== image[i]) return false;
    }
    return true;
  }

  /**
   * Collects the region of `head`: the instructions of its guest-physical page reachable from it by
   * fall-through and constant Jcc/JMP targets, taken from the page cache (decoding the ones not cached
   * yet), up to instructions regions do not take, the page boundary or MAX_REGION_INSNS; then compiles
   * it. Returns undefined (and stops counting) when fewer than two instructions qualify.
   */
  private buildBlock(head: DecodedInsn): CompiledBlock | undefined {
    const page = this.fetchedPage;
    const role = blockRole(head);
    if (page === undefined || role === undefined || role === 'last' || role === 'ret') { head.hits = -1e9; return undefined; }
    const mode = head.mode;
    const pageBase = this.fetchedPhys - (this.fetchedPhys & 0xfff);
    const insns = [head], offsets = [this.fetchedPhys & 0xfff];
    const seen = new Set<number>(offsets);
    const work: number[] = [];
    const follow = (d: DecodedInsn, off: number): void => {
      const r = blockRole(d);
      const targets: (number | undefined)[] = r === 'body' ? [off + d.len] : r === 'branch' || r === 'call' ? [branchTarget(d, off), off + d.len]
        : r === 'jump' ? [branchTarget(d, off)] : [];
      for (const t of targets) if (t !== undefined && t >= 0 && t < 4096 && !seen.has(t)) { seen.add(t); work.push(t); }
    };
    follow(head, offsets[0]);
    while (work.length > 0 && insns.length < MAX_REGION_INSNS) {
      const off = work.pop()!;
      let d = page[off];
      if (d === undefined || d.mode !== mode || !(d.verifiedEpoch === this.codeEpoch || this.bytesMatch(d.raw, pageBase + off))) {
        const r = decode(this.ram, pageBase + off, Math.min(15, 4096 - off, this.ramSize - pageBase - off), mode as 2 | 4 | 8);
        if (r instanceof DecodeFault || !bindHandler(r)) continue;
        r.raw = this.ram.slice(pageBase + off, pageBase + off + r.len);
        r.verifiedEpoch = this.codeEpoch;
        page[off] = d = r;
      } else d.verifiedEpoch = this.codeEpoch;
      if (blockRole(d) === undefined) continue;
      insns.push(d);
      offsets.push(off);
      follow(d, off);
    }
    if (insns.length < 2) { head.hits = -1e9; return undefined; }
    const block = compileBlock(insns, offsets, this.codeEpoch);
    head.block = block;
    this.blocksCompiled++;
    // The region's other labels (return sites, branch targets) enter it there rather than become
    // heads of regions repeating its code.
    for (const label of block.labels) {
      const k = offsets.indexOf(label), d = insns[k];
      const role = blockRole(d);
      if (k > 0 && d.block === undefined && d.hits >= 0 && role !== 'last' && role !== 'ret') d.block = regionEntry(block, k);
    }
    return block;
  }

  /** Abandons the instruction and turns what it threw into a guest exception or an exit. */
  private exitFromThrow(e: unknown): CpuExit | undefined {
    if (this.snapshotTaken) this.regs.set(this.savedRegs);
    this.restoreSegments();
    this.rip = this.savedRip;
    this.flags = this.savedFlags;
    if (e instanceof KvmiAccessEvent) {
      return this.event({ kind: 'pf', gva: e.gva, gpa: BigInt(e.gpa), access: e.access });
    }
    if (e instanceof InterceptExit) return this.event(e.exit);
    this.answered = undefined;
    if (e instanceof CpuException) {
      // Delivery starts from the pre-instruction state; a KVMI event during it returns to that state.
      this.savedRegs.set(this.regs);
      this.snapshotTaken = true;
      this.segSaved = false;
      try {
        if (e.vector === VEC_PF && e.cr2 !== undefined) this.cr2 = e.cr2;
        deliverEvent(this, e.vector, { errorCode: e.errorCode, returnRip: this.rip });
        // Permits answered for this instruction (or its exception delivery) are used up.
        this.permits = [];
        this.halted = false;
        return undefined;
      } catch (inner) {
        if (inner instanceof KvmiAccessEvent) return this.exitFromThrow(inner);
        this.permits = [];
        return this.shutdownFrom(inner);
      }
    }
    this.permits = [];
    return this.shutdownFrom(e);
  }

  /**
   * Turns a fatal condition into a 'shutdown' exit. An unexpected error inside the core (a defect,
   * not guest behaviour) also ends in 'shutdown', with the instruction address and the error text.
   */
  private shutdownFrom(e: unknown): CpuExit {
    if (e instanceof CpuShutdown) return { kind: 'shutdown', reason: e.reason };
    if (e instanceof CpuException) return { kind: 'shutdown', reason: `triple fault (${e.message})` };
    const where = `0x${BigInt.asUintN(64, BigInt(this.rip)).toString(16)}`;
    return { kind: 'shutdown', reason: `internal error of the x86 core at RIP ${where}: ${e instanceof Error ? e.message : String(e)}` };
  }

  private event(exit: CpuExit): CpuExit {
    this.lastEvent = exit;
    return exit;
  }

  /**
   * Fetches and decodes the instruction at CS:RIP through the per-page decoded-instruction cache.
   * A cached record is reused only if its bytes matched guest memory in the current code epoch
   * (a new epoch starts with every run() slice, device callback and memoryWritten()), so writes by
   * other vCPUs, devices or the debugger never run stale code; this vCPU's own writes drop the page.
   */
  private fetch(): DecodedInsn {
    const lin = this.codeSize === 8 ? this.rip : (this.seg[CS].base + this.rip) >>> 0;
    const offset = lin & 0xfff, pageLin = lin - offset;
    let p: number;
    if (pageLin === this.fetchPageLin && this.tlbGeneration === this.fetchGeneration && this.cpl === this.fetchCpl) {
      p = this.fetchPagePhys + offset;
    } else {
      const generation = this.tlbGeneration; // taken first: a permitted access bumps it and stays uncached
      p = this.translateLinear(lin, ACC_X);
      this.fetchPageLin = pageLin;
      this.fetchPagePhys = p - offset;
      this.fetchGeneration = generation;
      this.fetchCpl = this.cpl;
    }
    const mode = this.codeSize;
    if (p < this.ramSize) {
      const gfn = p >>> 12, off = p & 0xfff;
      let page = gfn === this.lastCodeGfn ? this.lastCodePage : this.codeCache.get(gfn);
      if (page) { this.lastCodeGfn = gfn; this.lastCodePage = page; }
      const cached = page?.[off];
      if (cached !== undefined && cached.mode === mode) {
        this.fetchedPhys = p;
        this.fetchedPage = page;
        if (cached.verifiedEpoch === this.codeEpoch) return cached;
        if (this.bytesMatch(cached.raw, p)) {
          cached.verifiedEpoch = this.codeEpoch;
          return cached;
        }
      }
      const avail = Math.min(15, 4096 - off, this.ramSize - p);
      const r = decode(this.ram, p, avail, mode);
      if (r instanceof DecodeFault && r.reason === 'truncated') return this.fetchCrossing(lin, p);
      const d = this.finishDecode(r);
      d.raw = this.ram.slice(p, p + d.len);
      d.verifiedEpoch = this.codeEpoch;
      if (!page) { page = new Array(4096); this.codeCache.set(gfn, page); this.codePages[gfn] = 1; }
      page[off] = d;
      this.fetchedPhys = p;
      this.fetchedPage = page;
      return d;
    }
    return this.fetchCrossing(lin, p);
  }

  private bytesMatch(raw: Uint8Array, p: number): boolean {
    const ram = this.ram;
    for (let k = 0; k < raw.length; k++) if (ram[p + k] !== raw[k]) return false;
    return true;
  }

  /**
   * Decodes an instruction that crosses into the next page, or lies outside RAM (MMIO/ROM), without
   * caching it. The next page is translated (and may fault) only if the bytes of this one do not suffice.
   */
  private fetchCrossing(lin: number, p: number): DecodedInsn {
    this.fetchedPage = undefined;
    const buf = this.fetchBuf;
    const first = Math.min(15, 4096 - (p & 0xfff));
    for (let k = 0; k < first; k++) buf[k] = this.physRead(p + k, 1);
    const r = decode(buf, 0, first, this.codeSize);
    if (!(r instanceof DecodeFault && r.reason === 'truncated') || first === 15) return this.finishDecode(r);
    const next = this.translateLinear(this.codeSize === 8 ? lin + first : (lin + first) >>> 0, ACC_X);
    for (let k = first; k < 15; k++) buf[k] = this.physRead(next + k - first, 1);
    return this.finishDecode(decode(buf, 0, 15, this.codeSize));
  }

  private finishDecode(r: DecodedInsn | DecodeFault): DecodedInsn {
    if (r instanceof DecodeFault) throw new CpuException(r.reason === 'tooLong' ? VEC_GP : VEC_UD, r.reason === 'tooLong' ? 0 : undefined);
    if (!bindHandler(r)) throw new CpuException(VEC_UD);
    return r;
  }

  /** Makes the current state the restore point (REP string iterations already completed stay done). */
  commitPartial(): void {
    this.savedRegs.set(this.regs);
    this.snapshotTaken = true;
    this.savedFlags = this.flags;
  }

  /** Drops the decoded instructions of a guest frame (its bytes changed). */
  protected override codeWritten(gfn: number): void {
    if (this.codePages[gfn]) {
      this.codeGeneration++;
      this.codeCache.delete(gfn);
      this.codePages[gfn] = 0;
      if (gfn === this.lastCodeGfn) { this.lastCodeGfn = -1; this.lastCodePage = undefined; }
    }
  }

  /** Tells the CPU that guest RAM [gpa, gpa+length) was written by someone else (DMA, debugger, other vCPU). */
  memoryWritten(gpa: number, length: number): void {
    this.codeEpoch++;
    for (let g = Math.floor(gpa / 4096); g <= Math.floor((gpa + Math.max(length, 1) - 1) / 4096); g++) this.codeWritten(g);
  }

  /** Delivers one external interrupt; the vector is queued again if a KVMI event interrupts delivery. */
  private deliverExternalInterrupt(): void {
    let vector: number | undefined = this.pendingVectors.shift();
    if (vector === undefined && this.irqLine && this.irqAcknowledge) vector = this.irqAcknowledge();
    if (vector === undefined) return;
    this.savedRegs.set(this.regs);
    this.snapshotTaken = true;
    this.segSaved = false;
    this.savedRip = this.rip;
    this.savedFlags = this.flags;
    const wasHalted = this.halted;
    this.halted = false;
    try {
      deliverEvent(this, vector, { returnRip: this.rip });
      if (this.permits.length) this.permits = [];
    } catch (e) {
      if (e instanceof KvmiAccessEvent) {
        this.pendingVectors.unshift(vector);
        this.halted = wasHalted;
      }
      throw e;
    }
  }

  /** Makes run() return 'stopRequested' before the next instruction (callable from device callbacks). */
  requestStop(): void {
    this.stopFlag = true;
  }

  /**
   * Answers the last event exit (KVMI v12 section 4.3). 'continue' applies the event's default
   * action, 'retry' re-enters at the (possibly changed) RIP. Unanswered events are retried.
   */
  resume(action: 'continue' | 'retry', reply?: { newValue?: bigint }): void {
    const exit = this.lastEvent;
    this.lastEvent = undefined;
    if (!exit) return;
    switch (exit.kind) {
      case 'pf':
        if (action === 'continue') this.permits.push(Math.floor(Number(exit.gpa) / 4096) * 8 + exit.access);
        else this.permits = [];
        return;
      case 'breakpoint':
        if (action === 'continue') this.pendingException = { vector: VEC_BP, returnRip: this.rip + exit.insnLen };
        return;
      case 'hypercall':
        if (action === 'continue') this.answered = { exit, action, newValue: 0n };
        return;
      case 'cr': case 'msr': case 'xsetbv': case 'descriptor':
        this.answered = action === 'continue' ? { exit, action, newValue: reply?.newValue } : undefined;
        return;
      default:
        return;
    }
  }

  // ---- interrupts from the machine ----
  /** Queues an external interrupt vector (delivered when RFLAGS.IF=1 and no interrupt shadow). */
  raiseInterrupt(vector: number): void {
    this.pendingVectors.push(vector & 0xff);
  }

  /** Sets the INTR line of a PIC; `acknowledge` returns the vector of the INTA cycle. */
  setIrqLine(asserted: boolean, acknowledge?: () => number): void {
    this.irqLine = asserted;
    if (acknowledge) this.irqAcknowledge = acknowledge;
  }

  /** True when an interrupt could be delivered now (used by the machine to end a HLT wait). */
  interruptDeliverable(): boolean {
    return (this.flags & IF) !== 0 && (this.pendingVectors.length > 0 || this.irqLine);
  }

  /** Queues an exception for delivery at the start of the next run() (KVMI INJECT_EXCEPTION). */
  injectException(vector: number, errorCode?: number, cr2?: bigint): void {
    this.pendingException = { vector, errorCode, cr2: cr2 === undefined ? undefined : Number(BigInt.asIntN(64, cr2)) };
  }

  /** Call after modifying the access array: drops TLB entries that folded in the old rights. */
  accessChanged(): void {
    this.flushTlb();
  }

  // ---- state accessors (kvmState.ts shapes) ----
  getRegs(): KvmRegs { return this.state.getRegs(); }
  setRegs(r: KvmRegs): void { this.state.setRegs(r); }
  getSregs(): KvmSregs { return this.state.getSregs(); }
  setSregs(s: KvmSregs): void { this.state.setSregs(s); this.flushTlb(); }
  getMsr(index: number): bigint | undefined { return this.state.getMsr(index); }
  setMsr(index: number, value: bigint): boolean { return this.state.setMsr(index, value, true); }
  getEventMsrs(): KvmiEventMsrs { return this.state.getEventMsrs(); }
  getXcr0(): bigint { return BigInt(this.xcr0); }
  getXsave(): Uint8Array { return this.state.getXsave(); }
  setXsave(buf: Uint8Array): void { this.state.setXsave(buf); }

  /** KVMI mode rule (section 4.1): long mode 8 if CS.L, else 2 if CS.D clear, otherwise 4. */
  mode(): 2 | 4 | 8 {
    const cs = this.seg[CS];
    if (this.longMode && cs.l) return 8;
    return cs.db ? 4 : 2;
  }

  /** Page walk of the current address space without side effects (no A/D updates, no events). */
  translate(gva: bigint): bigint | undefined {
    const lin = this.longMode ? Number(BigInt.asIntN(64, gva)) : Number(gva & 0xffffffffn);
    const p = this.translateNoSideEffects(lin);
    return p === undefined ? undefined : BigInt(p);
  }

  /** Power-on state (SDM Vol. 3A 10.1.1, Table 10-1): real mode at F000:FFF0. */
  reset(): void {
    this.state.reset();
    this.instructions = 0;
    this.halted = false;
    this.pendingVectors.length = 0;
    this.pendingException = undefined;
    this.lastEvent = undefined;
    this.answered = undefined;
    this.permits = [];
    this.codeCache.clear();
    this.codePages.fill(0);
    this.lastCodeGfn = -1;
    this.lastCodePage = undefined;
    this.flushTlb();
  }
}

