// The architectural state of one vCPU and the primitives every instruction uses: register-file
// access, effective addresses, the TLB-backed MMU with KVMI access checks, guest memory reads and
// writes, the stack and status-flag helpers.
//
// Numeric representation (chosen for V8 speed, bigint only at the public API):
//  - each GPR is two uint32 halves in `regs` (lo at 2*n, hi at 2*n+1); 8/16/32-bit values are plain
//    unsigned numbers; 64-bit values travel as (lo, hi) with hi in the scratch field `hi`;
//  - RIP, linear addresses and FS/GS bases are JS numbers: 32-bit values, or canonical 64-bit
//    addresses as signed numbers in [-2^47, 2^47) (exact in a double);
//  - flags are computed eagerly into `flags` by the ALU helpers (cheaper here than lazy flags because
//    handlers already hold operands and result as small integers).

import type { CpuBus, CpuIntercepts } from './cpu';
import { CpuException, KvmiAccessEvent } from './faults';
import { ACC_R, ACC_W, ACC_X, PERM_D, PERM_U, PERM_W, PERM_X, walk, WALK_NOT_PRESENT, type WalkResult } from './mmu';
import {
  CR0_PE, CR0_WP, CS, EFER_LMA, FS, PARITY, SS, TWO32, VEC_GP, VEC_PF, VEC_SS, VM,
} from './registers';
import { SegmentState } from './segment';
import type { DecodedInsn } from './decodedInsn';
import { NO_REG, RIP_BASE } from './decodedInsn';

/** UNMAPPED_GVA of KVMI: the access has no linear address (a page-table access). */
export const UNMAPPED_GVA = 0xffffffffffffffffn;

export const TLB_SIZE = 1024;
const TWO47 = 140737488355328;

/** Allowed-access bits cached per TLB entry: supervisor r/w/x in bits 0-2, user r/w/x in bits 3-5. */
export const TLB_USER_SHIFT = 3;

export class CpuCore {
  readonly ram: Uint8Array;
  /** DataView over `ram` (compiled regions read and write through it on a TLB hit). */
  readonly dv: DataView;
  readonly ramSize: number;
  /** GPR halves: regs[2n] = low 32 bits, regs[2n+1] = high 32 bits of GPR n. */
  readonly regs = new Uint32Array(32);
  /** Snapshot of regs at the start of the instruction, restored when it is abandoned. */
  protected readonly savedRegs = new Uint32Array(32);
  rip = 0;
  flags = 2;
  /** High half of the last 64-bit value returned by a read helper. */
  hi = 0;
  readonly seg: SegmentState[] = Array.from({ length: 8 }, () => new SegmentState());
  gdtBase = 0; gdtLimit = 0xffff; idtBase = 0; idtLimit = 0xffff;
  cr0 = 0x60000010; cr2 = 0; cr3 = 0; cr4 = 0; cr8 = 0; efer = 0;
  readonly dr: bigint[] = [0n, 0n, 0n, 0n, 0xffff0ff0n, 0x400n, 0xffff0ff0n, 0x400n];
  xcr0 = 1;
  /** Model-specific registers other than EFER and the FS/GS bases (SDM Vol. 4 Table 2-2). */
  readonly msr = {
    sysenterCs: 0n, sysenterEsp: 0n, sysenterEip: 0n, star: 0n, lstar: 0n, cstar: 0n, sfmask: 0n,
    kernelGsBase: 0n, tscAux: 0n, pat: 0x0007040600070406n, apicBase: 0xfee00900n, miscEnable: 1n,
    /** Added to the host time base to form the guest TSC (IA32_TSC writes adjust it). */
    tscOffset: 0n,
  };
  /** Current privilege level, code size (2/4/8 bytes) and stack address size. */
  cpl = 0;
  /** Changes from CPL 3 to a lower CPL seen by updateModes (kernel entries, and state loads that make one). */
  userToKernel = 0;
  codeSize: 2 | 4 | 8 = 2;
  stackSize = 2;
  /** XMM0-15 as 4 dwords each; MXCSR; the x87/legacy part of the FXSAVE image (bytes 0..159). */
  readonly xmm = new Uint32Array(64);
  mxcsr = 0x1f80;
  readonly fxLegacy = new Uint8Array(160);
  /** Interrupt shadow after STI / MOV SS / POP SS (SDM Vol. 3A 6.8.3): instructions left to inhibit, +1. */
  interruptShadow = 0;

  // ---- MMU state ----
  /** TLB: page-base linear tag, physical page base and allowed accesses (blockInline.ts reads them for its fast path). */
  readonly tlbTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly tlbPhys = new Float64Array(TLB_SIZE);
  readonly tlbPerm = new Uint8Array(TLB_SIZE);
  private readonly walkOut: WalkResult = { phys: 0, perms: 0 };
  /** One-shot permits (gfn * 8 + access) granted by resume('continue') for the current instruction. */
  protected permits: number[] = [];
  /** Pages holding cached decoded instructions (by gfn); writes there drop the page's cache. */
  readonly codePages: Uint8Array;

  constructor(readonly bus: CpuBus, readonly access: Uint8Array, public intercepts: CpuIntercepts) {
    this.ram = bus.ram;
    this.ramSize = bus.ram.length;
    this.dv = new DataView(bus.ram.buffer, bus.ram.byteOffset, bus.ram.byteLength);
    this.codePages = new Uint8Array(Math.ceil(this.ramSize / 4096));
  }

  /**
   * Bumped whenever memory may have changed behind this vCPU (a new run() slice, a device callback,
   * memoryWritten()): cached instructions are re-checked against RAM once per epoch.
   */
  codeEpoch = 0;

  /** Port input through the bus; the device may have written guest RAM (DMA). */
  ioRead(port: number, size: 1 | 2 | 4): number {
    const v = this.bus.ioRead(port, size);
    this.codeEpoch++;
    return v;
  }

  /** Port output through the bus; the device may have written guest RAM (DMA). */
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void {
    this.bus.ioWrite(port, size, value);
    this.codeEpoch++;
  }

  /** Called when a page with cached code is written; overridden by the code cache owner. */
  protected codeWritten(_gfn: number): void { /* overridden */ }

  // ---- modes ----
  get longMode(): boolean { return (this.efer & EFER_LMA) !== 0; }
  get protectedMode(): boolean { return (this.cr0 & CR0_PE) !== 0; }

  /** Segment registers as they were before the current instruction changed the first of them. */
  private readonly savedSeg: SegmentState[] = Array.from({ length: 8 }, () => new SegmentState());
  /** savedSeg is valid for the current instruction. */
  segSaved = false;

  /** Called before an instruction or event delivery changes a segment register (for rollback). */
  saveSegments(): void {
    if (this.segSaved) return;
    for (let k = 0; k < 8; k++) this.savedSeg[k].copyFrom(this.seg[k]);
    this.segSaved = true;
  }

  /** Undoes segment changes of an abandoned instruction. */
  restoreSegments(): void {
    if (!this.segSaved) return;
    for (let k = 0; k < 8; k++) this.seg[k].copyFrom(this.savedSeg[k]);
    this.segSaved = false;
    this.updateModes();
  }

  /** Recomputes cpl, code size and stack size from CS/SS and the mode (SDM Vol. 3A 5.2.1, 9.8.5). */
  updateModes(): void {
    const cs = this.seg[CS];
    if (!this.protectedMode) { this.cpl = 0; this.codeSize = 2; this.stackSize = 2; return; }
    if (this.flags & VM) { this.cpl = 3; this.codeSize = 2; this.stackSize = 2; return; }
    if (this.cpl === 3 && cs.dpl !== 3) this.userToKernel++;
    this.cpl = cs.dpl;
    if (this.longMode && cs.l) { this.codeSize = 8; this.stackSize = 8; return; }
    this.codeSize = cs.db ? 4 : 2;
    this.stackSize = this.seg[SS].db ? 4 : 2;
  }

  // ---- GPR access (SDM Vol. 1 3.4.1.1: 32-bit writes zero-extend, 8/16-bit writes merge) ----
  getReg(r: number, size: number, rex: boolean): number {
    const regs = this.regs;
    switch (size) {
      case 1: return r < 4 || rex || r > 7 ? regs[r << 1] & 0xff : (regs[(r - 4) << 1] >>> 8) & 0xff;
      case 2: return regs[r << 1] & 0xffff;
      case 4: return regs[r << 1];
      default: this.hi = regs[(r << 1) + 1]; return regs[r << 1];
    }
  }

  setReg(r: number, size: number, rex: boolean, lo: number, hi: number): void {
    const regs = this.regs;
    switch (size) {
      case 1:
        if (r < 4 || rex || r > 7) regs[r << 1] = (regs[r << 1] & 0xffffff00) | (lo & 0xff);
        else regs[(r - 4) << 1] = (regs[(r - 4) << 1] & 0xffff00ff) | ((lo & 0xff) << 8);
        return;
      case 2: regs[r << 1] = (regs[r << 1] & 0xffff0000) | (lo & 0xffff); return;
      case 4: regs[r << 1] = lo; regs[(r << 1) + 1] = 0; return;
      default: regs[r << 1] = lo; regs[(r << 1) + 1] = hi;
    }
  }

  /** A GPR truncated to `size` as a number; 64-bit values are signed (exact for canonical addresses). */
  regValue(r: number, size: number): number {
    const lo = this.regs[r << 1];
    if (size === 8) return (this.regs[(r << 1) + 1] | 0) * TWO32 + lo;
    return size === 4 ? lo : lo & 0xffff;
  }

  // ---- effective and linear addresses (SDM Vol. 1 3.7.5, 3.3.7) ----
  /** Offset (effective address) of the memory operand, truncated to the address size; 64-bit as a signed number. */
  effectiveAddress(d: DecodedInsn): number {
    const regs = this.regs;
    if (d.adsize === 8) {
      if (d.index === NO_REG && d.base >= 0 && d.base < 16) {
        // Common case [base + disp]: carry/borrow between the halves without a division.
        let lo = regs[d.base << 1] + d.disp, hi = regs[(d.base << 1) + 1] | 0;
        if (lo >= TWO32) { lo -= TWO32; hi = (hi + 1) | 0; } else if (lo < 0) { lo += TWO32; hi = (hi - 1) | 0; }
        return hi * TWO32 + lo;
      }
      let lo = d.disp, hi = d.moffsHi;
      if (d.base === RIP_BASE) {
        const next = this.rip + d.len;
        lo += next >>> 0;
        hi += Math.floor(next / TWO32);
      } else if (d.base !== NO_REG) {
        lo += regs[d.base << 1];
        hi += regs[(d.base << 1) + 1];
      }
      if (d.index !== NO_REG) {
        const m = 1 << d.scale;
        lo += regs[d.index << 1] * m;
        hi += regs[(d.index << 1) + 1] * m;
      }
      hi = (hi + Math.floor(lo / TWO32)) | 0;
      return hi * TWO32 + (lo >>> 0);
    }
    let ea = d.disp;
    if (d.base !== NO_REG) ea += regs[d.base << 1];
    if (d.index !== NO_REG) ea += regs[d.index << 1] * (1 << d.scale);
    return d.adsize === 4 ? ea >>> 0 : ea & 0xffff;
  }

  /**
   * Linear address of segment `s` + offset `ea` (64-bit mode: only FS/GS bases apply, canonical
   * check). Outside 64-bit mode the offset is checked against the limit of an expand-up segment
   * (#GP(0), #SS(0) for SS; SDM Vol. 3A 5.3); expand-down segments are not checked.
   */
  linear(s: number, ea: number): number {
    if (this.codeSize === 8) {
      const lin = s >= FS ? ea + this.seg[s].base : ea;
      if (lin < -TWO47 || lin >= TWO47) throw new CpuException(s === SS ? VEC_SS : VEC_GP, 0);
      return lin;
    }
    const seg = this.seg[s];
    if (ea > seg.limit && (seg.type & 0xc) !== 0x4) throw new CpuException(s === SS ? VEC_SS : VEC_GP, 0);
    return (seg.base + ea) >>> 0;
  }

  /** Linear address of the instruction's memory operand. */
  memLinear(d: DecodedInsn): number {
    return this.linear(d.seg, this.effectiveAddress(d));
  }

  /** Converts a linear address number to the 64-bit gva of KVMI events. */
  static gvaOf(lin: number): bigint {
    return BigInt.asUintN(64, BigInt(lin));
  }

  // ---- MMU ----
  /** Drops every TLB entry (MOV CR3, CR0/CR4 paging changes, accessChanged()). */
  flushTlb(): void {
    this.tlbTag.fill(NaN);
    this.tlbGeneration++;
  }

  /** Bumped on every TLB flush, so translations cached outside the TLB know they are stale. */
  tlbGeneration = 0;

  /** Drops the TLB entry of one linear page (INVLPG). */
  flushTlbPage(lin: number): void {
    const i = (lin >>> 12) & (TLB_SIZE - 1);
    if (this.tlbTag[i] === lin - (lin & 0xfff)) this.tlbTag[i] = NaN;
    this.tlbGeneration++;
  }

  /**
   * Translates `lin` for one access kind at the current CPL; raises #PF or a KVMI event.
   * TLB tags are page-base linear addresses; the index is taken from bits 12.. of the address.
   */
  translateLinear(lin: number, acc: number): number {
    const offset = lin & 0xfff;
    const base = lin - offset;
    const i = (lin >>> 12) & (TLB_SIZE - 1);
    const need = this.cpl === 3 ? acc << TLB_USER_SHIFT : acc;
    if (this.tlbTag[i] === base && (this.tlbPerm[i] & need) !== 0) return this.tlbPhys[i] + offset;
    return this.translateSlow(lin, acc, base, i);
  }

  private translateSlow(lin: number, acc: number, tag: number, i: number): number {
    const user = this.cpl === 3;
    const write = acc === ACC_W;
    const out = this.walkOut;
    if (walk(this, lin, write, out) === WALK_NOT_PRESENT) this.pageFault(lin, acc, user, false);
    const perms = out.perms;
    const okUser = (perms & PERM_U) !== 0;
    const okWrite = (perms & PERM_W) !== 0;
    const okExec = (perms & PERM_X) !== 0;
    if (user && !okUser) this.pageFault(lin, acc, user, true);
    if (write && !okWrite && (user || this.cr0 & CR0_WP)) this.pageFault(lin, acc, user, true);
    if (acc === ACC_X && !okExec) this.pageFault(lin, acc, user, true);
    const phys = out.phys;
    const pageBase = phys - (phys % 4096);
    // KVMI restriction of the data frame (KVMI v12 section 5): checked before the access.
    const allowed = this.frameAllowed(pageBase / 4096);
    if ((allowed & acc) === 0) this.kvmiCheck(pageBase / 4096, acc, CpuCore.gvaOf(lin), phys);
    // Cache what this translation allows without another walk: writes only once D is set.
    let sup = ACC_R | ACC_X | (okWrite || !(this.cr0 & CR0_WP) ? ACC_W : 0);
    if (!okExec) sup &= ~ACC_X;
    if (!(perms & PERM_D)) sup &= ~ACC_W;
    let usr = okUser ? sup & ~(okWrite ? 0 : ACC_W) : 0;
    sup &= allowed;
    usr &= allowed;
    this.tlbTag[i] = tag;
    this.tlbPhys[i] = pageBase;
    this.tlbPerm[i] = sup | (usr << TLB_USER_SHIFT);
    return phys;
  }

  /** KVMI bits allowed for a frame; all when PF events are off or the frame is outside the array. */
  private frameAllowed(gfn: number): number {
    if (!this.intercepts.pf || gfn >= this.access.length) return 7;
    return this.access[gfn];
  }

  /** Raises the KVMI PF event unless resume('continue') already granted this (frame, access). */
  private kvmiCheck(gfn: number, acc: number, gva: bigint, gpa: number): void {
    const key = gfn * 8 + acc;
    if (this.permits.includes(key)) {
      // A permitted access must not be remembered by translation caches outside the TLB.
      this.tlbGeneration++;
      return;
    }
    throw new KvmiAccessEvent(gva, gpa, acc as 1 | 2 | 4);
  }

  private pageFault(lin: number, acc: number, user: boolean, present: boolean): never {
    // #PF error code (SDM Vol. 3A 4.7): P, W/R, U/S, I/D.
    const code = (present ? 1 : 0) | (acc === ACC_W ? 2 : 0) | (user ? 4 : 0) | (acc === ACC_X ? 16 : 0);
    throw new CpuException(VEC_PF, code, lin);
  }

  /** WalkHost: page-table reads count as reads of the table's frame. */
  ptRead32(gpa: number): number {
    const gfn = Math.floor(gpa / 4096);
    if ((this.frameAllowed(gfn) & ACC_R) === 0) this.kvmiCheck(gfn, ACC_R, UNMAPPED_GVA, gpa);
    if (gpa + 4 <= this.ramSize) return this.dv.getUint32(gpa, true);
    return Number(BigInt.asUintN(32, this.bus.mmioRead(gpa, 4)));
  }

  /** WalkHost: accessed/dirty updates count as writes of the table's frame. */
  ptWrite32(gpa: number, value: number): void {
    const gfn = Math.floor(gpa / 4096);
    if ((this.frameAllowed(gfn) & ACC_W) === 0) this.kvmiCheck(gfn, ACC_W, UNMAPPED_GVA, gpa);
    this.physWrite(gpa, 4, value >>> 0, 0);
  }

  /** Guest page walk without side effects (introspection): the physical address or undefined. */
  translateNoSideEffects(lin: number): number | undefined {
    const out: WalkResult = { phys: 0, perms: 0 };
    const host = { cr0: this.cr0, cr3: this.cr3, cr4: this.cr4, efer: this.efer,
      ptRead32: (gpa: number) => gpa + 4 <= this.ramSize ? this.dv.getUint32(gpa, true) : 0,
      ptWrite32: () => undefined };
    return walk(host, lin, false, out, true) === WALK_NOT_PRESENT ? undefined : out.phys;
  }

  // ---- physical memory ----
  physRead(p: number, size: number): number {
    if (p + size <= this.ramSize) {
      const dv = this.dv;
      switch (size) {
        case 1: return this.ram[p];
        case 2: return dv.getUint16(p, true);
        case 4: return dv.getUint32(p, true);
        default: this.hi = dv.getUint32(p + 4, true); return dv.getUint32(p, true);
      }
    }
    const v = this.bus.mmioRead(p, size as 1 | 2 | 4 | 8);
    this.codeEpoch++;
    if (size === 8) this.hi = Number(BigInt.asUintN(32, v >> 32n));
    return Number(BigInt.asUintN(size === 8 ? 32 : size * 8, v));
  }

  physWrite(p: number, size: number, lo: number, hi: number): void {
    if (p + size <= this.ramSize) {
      const gfn = p >>> 12;
      if (this.codePages[gfn] || this.codePages[(p + size - 1) >>> 12]) {
        this.codeWritten(gfn);
        this.codeWritten((p + size - 1) >>> 12);
      }
      const dv = this.dv;
      switch (size) {
        case 1: this.ram[p] = lo; return;
        case 2: dv.setUint16(p, lo, true); return;
        case 4: dv.setUint32(p, lo, true); return;
        default: dv.setUint32(p, lo, true); dv.setUint32(p + 4, hi, true); return;
      }
    }
    const v = size === 8 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
    this.bus.mmioWrite(p, size as 1 | 2 | 4 | 8, BigInt.asUintN(size * 8, v));
    this.codeEpoch++;
  }

  // ---- linear memory (sizes 1, 2, 4, 8; 64-bit reads return lo and set `hi`) ----
  read(lin: number, size: number): number {
    if ((lin & 0xfff) + size <= 4096) return this.physRead(this.translateLinear(lin, ACC_R), size);
    return this.crossingRead(lin, size, ACC_R);
  }

  /** Read for execution (instruction bytes fetched as data, e.g. far-pointer immediates are decoded). */
  readAs(lin: number, size: number, acc: number): number {
    if ((lin & 0xfff) + size <= 4096) return this.physRead(this.translateLinear(lin, acc), size);
    return this.crossingRead(lin, size, acc);
  }

  write(lin: number, size: number, lo: number, hi = 0): void {
    if ((lin & 0xfff) + size <= 4096) { this.physWrite(this.translateLinear(lin, ACC_W), size, lo, hi); return; }
    // A page-crossing write translates both pages before writing a byte (one event per frame, low page first).
    const first = this.translateLinear(lin, ACC_W);
    const split = 4096 - (lin & 0xfff);
    const second = this.translateLinear(lin + split, ACC_W);
    for (let k = 0; k < size; k++) {
      const byte = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
      this.physWrite(k < split ? first + k : second + (k - split), 1, byte, 0);
    }
  }

  private crossingRead(lin: number, size: number, acc: number): number {
    const first = this.translateLinear(lin, acc);
    const split = 4096 - (lin & 0xfff);
    const second = this.translateLinear(lin + split, acc);
    let lo = 0, hi = 0;
    for (let k = 0; k < size; k++) {
      const b = this.physRead(k < split ? first + k : second + (k - split), 1);
      if (k < 4) lo |= b << (8 * k); else hi |= b << (8 * (k - 4));
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Implicit supervisor read of a system structure (GDT, LDT, IDT, TSS), whatever the CPL (SDM Vol. 3A 4.6). */
  readSystem(lin: number, size: number): number {
    const cpl = this.cpl;
    this.cpl = 0;
    try {
      return this.read(lin, size);
    } finally {
      this.cpl = cpl;
    }
  }

  /** Implicit supervisor write of a system structure (accessed bits, TSS busy bit). */
  writeSystem(lin: number, size: number, value: number): void {
    const cpl = this.cpl;
    this.cpl = 0;
    try {
      this.write(lin, size, value, 0);
    } finally {
      this.cpl = cpl;
    }
  }

  /** Checks that [lin, lin+size) is accessible for `acc` (raising faults/events) without accessing it. */
  probe(lin: number, size: number, acc: number): void {
    this.translateLinear(lin, acc);
    const last = lin + size - 1;
    if (Math.floor(last / 4096) !== Math.floor(lin / 4096)) this.translateLinear(last, acc);
  }

  // ---- operands of the decoded instruction ----
  /** Reads the E (ModRM r/m) operand of `size` bytes. */
  readE(d: DecodedInsn, size: number): number {
    return d.hasMem ? this.read(this.memLinear(d), size) : this.getReg(d.rm, size, d.rex);
  }

  writeE(d: DecodedInsn, size: number, lo: number, hi: number): void {
    if (d.hasMem) this.write(this.memLinear(d), size, lo, hi);
    else this.setReg(d.rm, size, d.rex, lo, hi);
  }

  // ---- stack (SDM Vol. 1 6.2) ----
  /** Pushes a value of `size` bytes; memory is written before RSP changes. */
  push(size: number, lo: number, hi = 0): void {
    const ss = this.stackSize;
    const rsp = this.regValue(4, ss);
    let next = rsp - size;
    if (ss === 4) next >>>= 0; else if (ss === 2) next &= 0xffff;
    this.write(this.stackLinear(next, size), size, lo, hi);
    this.setRsp(next);
  }

  /** Pops `size` bytes; returns lo (hi in `hi` for 8). RSP is updated after the read. */
  pop(size: number): number {
    const ss = this.stackSize;
    const rsp = this.regValue(4, ss);
    const v = this.read(this.stackLinear(rsp, size), size);
    const h = this.hi;
    this.setRsp(rsp + size);
    this.hi = h;
    return v;
  }

  /** Reads the stack at RSP + offset without popping. */
  peek(offset: number, size: number): number {
    const ss = this.stackSize;
    return this.read(this.stackLinear(this.regValue(4, ss) + offset, size), size);
  }

  /** Linear address of a stack access of `size` bytes at `offset`; a wrap past the SS limit is #SS(0). */
  stackLinear(offset: number, size = 1): number {
    const ss = this.stackSize;
    if (ss === 8) return this.linear(SS, offset);
    const ea = ss === 4 ? offset >>> 0 : offset & 0xffff;
    if (ea + size - 1 > this.seg[SS].limit && (this.seg[SS].type & 0xc) !== 0x4) throw new CpuException(VEC_SS, 0);
    return this.linear(SS, ea);
  }

  /** Sets RSP (or ESP/SP per stack size) from a number (64-bit: signed). */
  setRsp(v: number): void {
    const ss = this.stackSize;
    if (ss === 8) {
      this.regs[8] = v >>> 0;
      this.regs[9] = Math.floor(v / TWO32);
    } else if (ss === 4) this.regs[8] = v >>> 0;
    else this.regs[8] = (this.regs[8] & 0xffff0000) | (v & 0xffff);
  }

  // ---- flags ----
  /** Sets the status flags SF, ZF, PF from a result of `size` bytes (lo) and `hi` for 8. */
  szp(size: number, res: number, resHi: number): number {
    if (size === 8) return (resHi & 0x80000000 ? 0x80 : 0) | ((res | resHi) === 0 ? 0x40 : 0) | PARITY[res & 0xff];
    const sign = size === 4 ? res & 0x80000000 : res & (1 << (size * 8 - 1));
    return (sign ? 0x80 : 0) | (res === 0 ? 0x40 : 0) | PARITY[res & 0xff];
  }
}

/** Bit mask of an operand size of 1, 2 or 4 bytes. */
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}
