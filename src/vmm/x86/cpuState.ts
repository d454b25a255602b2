// Conversion between the core's internal state and the KVM/KVMI shapes (kvm_regs, kvm_sregs, MSRs,
// kvm_xsave), the architectural power-on state (SDM Vol. 3A 10.1.1), and the MSR file used by both
// RDMSR/WRMSR and the host-side getMsr/setMsr (SDM Vol. 4 Table 2-2).

import type { CpuCore } from './core';
import { emptySegment, MSR, type KvmRegs, type KvmSegment, type KvmSregs, type KvmiEventMsrs } from './kvmState';
import { CR0_PG, CS, DS, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, ES, FS, GS, LDTR, SS, TR } from './registers';
import type { SegmentState } from './segment';

const GPR_ORDER = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
const SEG_NAMES = [['es', ES], ['cs', CS], ['ss', SS], ['ds', DS], ['fs', FS], ['gs', GS], ['ldt', LDTR], ['tr', TR]] as const;

/** A 64-bit signed-number address as the unsigned bigint of the KVM ABI. */
export function u64(n: number): bigint {
  return BigInt.asUintN(64, BigInt(n));
}

/** An unsigned bigint address as the core's signed number (exact for canonical addresses). */
export function s64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function segOut(s: SegmentState): KvmSegment {
  return { base: u64(s.base), limit: s.limit >>> 0, selector: s.selector, type: s.type, present: s.present, dpl: s.dpl,
    db: s.db, s: s.s, l: s.l, g: s.g, avl: s.avl, unusable: s.unusable };
}

function segIn(d: SegmentState, k: KvmSegment): void {
  d.base = s64(k.base); d.limit = k.limit >>> 0; d.selector = k.selector & 0xffff; d.type = k.type & 15;
  d.present = k.present ? 1 : 0; d.dpl = k.dpl & 3; d.db = k.db ? 1 : 0; d.s = k.s ? 1 : 0; d.l = k.l ? 1 : 0;
  d.g = k.g ? 1 : 0; d.avl = k.avl ? 1 : 0; d.unusable = k.unusable ? 1 : 0;
}

/** EFER bits software may set (SCE, LME, NXE); LMA is maintained by the CPU. */
const EFER_WRITABLE = EFER_SCE | EFER_LME | EFER_NXE;

/** Host time base for RDTSC, in nanoseconds (a 1 GHz TSC). */
function hostTsc(): bigint {
  return process.hrtime.bigint();
}

export class CpuStateAccess {
  private view: BigUint64Array | undefined;

  constructor(private readonly c: CpuCore & { instructions: number; pendingVectors: number[] }) {}

  getRegs(): KvmRegs {
    const c = this.c;
    const q = this.regs64();
    // An object literal (one hidden class) rather than a loop over names: read on every KVMI event.
    return {
      rax: q[0], rcx: q[1], rdx: q[2], rbx: q[3], rsp: q[4], rbp: q[5], rsi: q[6], rdi: q[7],
      r8: q[8], r9: q[9], r10: q[10], r11: q[11], r12: q[12], r13: q[13], r14: q[14], r15: q[15],
      rip: u64(c.rip), rflags: BigInt(c.flags >>> 0),
    };
  }

  setRegs(r: KvmRegs): void {
    const c = this.c;
    const q = this.regs64();
    GPR_ORDER.forEach((name, i) => { q[i] = BigInt.asUintN(64, r[name]); });
    // Kept as the signed 64-bit value: exact whether the CPU is, or later switches to, 64-bit mode.
    c.rip = s64(r.rip);
    c.flags = (Number(r.rflags & 0x3f7fd5n) | 2) >>> 0;
    c.updateModes();
  }

  /** The general registers as 64-bit values (the core keeps them as little-endian 32-bit halves). */
  private regs64(): BigUint64Array {
    const regs = this.c.regs;
    return (this.view ??= new BigUint64Array(regs.buffer, regs.byteOffset, regs.length / 2));
  }

  getSregs(): KvmSregs {
    const c = this.c;
    const seg = c.seg;
    // One object literal (a fixed shape): it is read on every hand-over between engines.
    return {
      es: segOut(seg[ES]), cs: segOut(seg[CS]), ss: segOut(seg[SS]), ds: segOut(seg[DS]),
      fs: segOut(seg[FS]), gs: segOut(seg[GS]), ldt: segOut(seg[LDTR]), tr: segOut(seg[TR]),
      gdt: { base: u64(c.gdtBase), limit: c.gdtLimit }, idt: { base: u64(c.idtBase), limit: c.idtLimit },
      cr0: BigInt(c.cr0 >>> 0), cr2: u64(c.cr2), cr3: BigInt(c.cr3), cr4: BigInt(c.cr4 >>> 0), cr8: BigInt(c.cr8),
      efer: BigInt(c.efer >>> 0), apic_base: c.msr.apicBase, interrupt_bitmap: pendingBitmap(c.pendingVectors),
    };
  }

  setSregs(s: KvmSregs): void {
    const c = this.c;
    for (const [name, idx] of SEG_NAMES) segIn(c.seg[idx], s[name] ?? emptySegment());
    c.gdtBase = s64(s.gdt.base); c.gdtLimit = s.gdt.limit & 0xffff;
    c.idtBase = s64(s.idt.base); c.idtLimit = s.idt.limit & 0xffff;
    c.cr0 = Number(s.cr0 & 0xffffffffn) >>> 0;
    c.cr2 = s64(s.cr2);
    c.cr3 = Number(s.cr3 & 0xffffffffff000n) + Number(s.cr3 & 0xfffn);
    c.cr4 = Number(s.cr4 & 0xffffffffn) >>> 0;
    c.cr8 = Number(s.cr8 & 15n);
    c.efer = Number(s.efer & 0xffffn);
    c.msr.apicBase = s.apic_base;
    // interrupt_bitmap: external interrupts injected but not yet delivered (struct kvm_sregs).
    c.pendingVectors.length = 0;
    s.interrupt_bitmap.forEach((word, w) => {
      for (let b = 0; b < 64; b++) if ((word >> BigInt(b)) & 1n) c.pendingVectors.push(w * 64 + b);
    });
    c.updateModes();
  }

  /** MSR read; undefined for an MSR this CPU does not implement (RDMSR raises #GP for those). */
  getMsr(index: number): bigint | undefined {
    const c = this.c, m = c.msr;
    switch (index) {
      case MSR.IA32_TSC: return BigInt.asUintN(64, hostTsc() + m.tscOffset);
      case MSR.IA32_APIC_BASE: return m.apicBase;
      case MSR.IA32_SYSENTER_CS: return m.sysenterCs;
      case MSR.IA32_SYSENTER_ESP: return m.sysenterEsp;
      case MSR.IA32_SYSENTER_EIP: return m.sysenterEip;
      case MSR.IA32_PAT: return m.pat;
      case MSR.IA32_EFER: return BigInt(c.efer);
      case MSR.STAR: return m.star;
      case MSR.LSTAR: return m.lstar;
      case MSR.CSTAR: return m.cstar;
      case MSR.SFMASK: return m.sfmask;
      case MSR.FS_BASE: return u64(c.seg[FS].base);
      case MSR.GS_BASE: return u64(c.seg[GS].base);
      case MSR.KERNEL_GS_BASE: return m.kernelGsBase;
      case MSR.TSC_AUX: return m.tscAux;
      case MSR.IA32_MISC_FEATURES_ENABLES: return 0n;
      case 0x1a0: return m.miscEnable; // IA32_MISC_ENABLE
      default: return undefined;
    }
  }

  /**
   * MSR write; false if the MSR is unknown or the value is invalid (RDMSR/WRMSR then raise #GP).
   * `host` writes (setMsr from the VMM) may set EFER.LMA directly.
   */
  setMsr(index: number, value: bigint, host: boolean): boolean {
    const c = this.c, m = c.msr;
    const v = BigInt.asUintN(64, value);
    const canonical = (x: bigint) => BigInt.asIntN(48, x) === BigInt.asIntN(64, x);
    switch (index) {
      case MSR.IA32_TSC: m.tscOffset = v - hostTsc(); return true;
      case MSR.IA32_APIC_BASE: m.apicBase = v; return true;
      case MSR.IA32_SYSENTER_CS: m.sysenterCs = v & 0xffffn; return true;
      case MSR.IA32_SYSENTER_ESP: if (!canonical(v)) return false; m.sysenterEsp = v; return true;
      case MSR.IA32_SYSENTER_EIP: if (!canonical(v)) return false; m.sysenterEip = v; return true;
      case MSR.IA32_PAT: m.pat = v; return true;
      case MSR.IA32_EFER: {
        const bits = Number(v & 0xffffn);
        if (!host && (bits & ~(EFER_WRITABLE | EFER_LMA))) return false;
        // Changing LME while paging is on is invalid (SDM Vol. 3A 10.8.5).
        if (!host && (c.cr0 & CR0_PG) && ((bits ^ c.efer) & EFER_LME)) return false;
        const changed = (bits ^ c.efer) & EFER_NXE;
        c.efer = host ? bits : (bits & EFER_WRITABLE) | (c.efer & EFER_LMA);
        if (changed) c.flushTlb();
        c.updateModes();
        return true;
      }
      case MSR.STAR: m.star = v; return true;
      case MSR.LSTAR: if (!canonical(v)) return false; m.lstar = v; return true;
      case MSR.CSTAR: if (!canonical(v)) return false; m.cstar = v; return true;
      case MSR.SFMASK: m.sfmask = v & 0xffffffffn; return true;
      case MSR.FS_BASE: if (!canonical(v)) return false; c.seg[FS].base = s64(v); return true;
      case MSR.GS_BASE: if (!canonical(v)) return false; c.seg[GS].base = s64(v); return true;
      case MSR.KERNEL_GS_BASE: if (!canonical(v)) return false; m.kernelGsBase = v; return true;
      case MSR.TSC_AUX: m.tscAux = v & 0xffffffffn; return true;
      case MSR.IA32_MISC_FEATURES_ENABLES: return v === 0n;
      case 0x1a0: m.miscEnable = v; return true;
      default: return false;
    }
  }

  getEventMsrs(): KvmiEventMsrs {
    const m = this.c.msr;
    return { sysenter_cs: m.sysenterCs, sysenter_esp: m.sysenterEsp, sysenter_eip: m.sysenterEip,
      efer: BigInt(this.c.efer), star: m.star, lstar: m.lstar, cstar: m.cstar, pat: m.pat, shadow_gs: m.kernelGsBase };
  }

  /** kvm_xsave (4096 bytes): the FXSAVE image at offset 0, XSTATE_BV at 512 (x87 | SSE). */
  getXsave(): Uint8Array {
    const buf = new Uint8Array(4096);
    writeFxImage(this.c, buf);
    buf[512] = 3;
    return buf;
  }

  setXsave(buf: Uint8Array): void {
    if (buf.length < 512) throw new RangeError(`xsave image has ${buf.length} bytes; at least 512 are needed`);
    readFxImage(this.c, buf);
  }

  /** Power-on state: real mode, CS=F000 base FFFF0000, RIP=FFF0, EDX = CPUID.1 signature. */
  reset(): void {
    const c = this.c;
    c.regs.fill(0);
    c.regs[4] = CPU_SIGNATURE;
    c.rip = 0xfff0;
    c.flags = 2;
    for (const s of c.seg) {
      s.loadReal(0);
      s.limit = 0xffff; s.type = 3; s.s = 1; s.present = 1; s.dpl = 0; s.db = 0; s.l = 0; s.g = 0;
    }
    c.seg[CS].selector = 0xf000; c.seg[CS].base = 0xffff0000; c.seg[CS].type = 0xb;
    c.seg[LDTR].type = 2; c.seg[LDTR].s = 0;
    c.seg[TR].type = 0xb; c.seg[TR].s = 0;
    c.gdtBase = 0; c.gdtLimit = 0xffff; c.idtBase = 0; c.idtLimit = 0xffff;
    c.cr0 = 0x60000010; c.cr2 = 0; c.cr3 = 0; c.cr4 = 0; c.cr8 = 0; c.efer = 0;
    c.xcr0 = 1;
    c.xmm.fill(0);
    c.mxcsr = 0x1f80;
    c.fxLegacy.fill(0);
    c.fxLegacy[0] = 0x7f; c.fxLegacy[1] = 0x03; // FCW = 037Fh after FNINIT (SDM Vol. 1 8.1.5)
    c.interruptShadow = 0;
    Object.assign(c.msr, { sysenterCs: 0n, sysenterEsp: 0n, sysenterEip: 0n, star: 0n, lstar: 0n, cstar: 0n, sfmask: 0n,
      kernelGsBase: 0n, tscAux: 0n, pat: 0x0007040600070406n, apicBase: 0xfee00900n, miscEnable: 1n, tscOffset: -hostTsc() });
    c.updateModes();
  }
}

function pendingBitmap(vectors: number[]): [bigint, bigint, bigint, bigint] {
  const out: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const v of vectors) out[v >> 6] |= 1n << BigInt(v & 63);
  return out;
}

/** CPUID.1:EAX processor signature reported by this CPU (family 6, model 0x3A, stepping 9). */
export const CPU_SIGNATURE = 0x000306a9;

/** Writes the 512-byte FXSAVE image (SDM Vol. 1 Table 10-2): legacy x87 area, MXCSR, XMM0-15. */
export function writeFxImage(c: CpuCore, out: Uint8Array): void {
  out.set(c.fxLegacy.subarray(0, 160), 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(24, c.mxcsr, true);
  dv.setUint32(28, 0xffbf, true); // MXCSR_MASK: DAZ supported
  for (let i = 0; i < 64; i++) dv.setUint32(160 + i * 4, c.xmm[i], true);
}

/** Loads state from a 512-byte FXSAVE image. */
export function readFxImage(c: CpuCore, img: Uint8Array): void {
  c.fxLegacy.set(img.subarray(0, 160));
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  c.mxcsr = dv.getUint32(24, true) & 0xffff;
  for (let i = 0; i < 64; i++) c.xmm[i] = dv.getUint32(160 + i * 4, true);
}

/** Paging mode helpers for CR writes. */
export function pagingBitsChanged(oldCr: number, newCr: number, mask: number): boolean {
  return ((oldCr ^ newCr) & mask) !== 0;
}

