// Encoding and decoding of the KVM ioctl structures (struct kvm_regs, kvm_sregs, kvm_msrs,
// kvm_cpuid2, kvm_userspace_memory_region) between the project's typed shapes (x86/kvmState.ts)
// and little-endian bytes, using the offsets declared in kvmAbi.ts.
import { KvmDtable, KvmRegs, KvmSegment, KvmSregs } from '../x86/kvmState';
import { FIELD_OFFSET, KVM_REGS_ORDER, KVM_SREGS_SEGMENTS, SIZEOF } from './kvmAbi';

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export function encodeRegs(r: KvmRegs, out: Uint8Array = new Uint8Array(SIZEOF.kvm_regs)): Uint8Array {
  const v = view(out);
  KVM_REGS_ORDER.forEach((name, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, r[name]), true));
  return out;
}

/** kvm_regs in KVM_REGS_ORDER; an object literal, since it is read on every exit the VMM looks at. */
export function decodeRegs(b: Uint8Array): KvmRegs {
  const v = view(b);
  return {
    rax: v.getBigUint64(0, true), rbx: v.getBigUint64(8, true), rcx: v.getBigUint64(16, true), rdx: v.getBigUint64(24, true),
    rsi: v.getBigUint64(32, true), rdi: v.getBigUint64(40, true), rsp: v.getBigUint64(48, true), rbp: v.getBigUint64(56, true),
    r8: v.getBigUint64(64, true), r9: v.getBigUint64(72, true), r10: v.getBigUint64(80, true), r11: v.getBigUint64(88, true),
    r12: v.getBigUint64(96, true), r13: v.getBigUint64(104, true), r14: v.getBigUint64(112, true), r15: v.getBigUint64(120, true),
    rip: v.getBigUint64(128, true), rflags: v.getBigUint64(136, true),
  };
}

const SEG = FIELD_OFFSET.kvm_segment;

function encodeSegment(v: DataView, at: number, s: KvmSegment): void {
  v.setBigUint64(at + SEG.base, BigInt.asUintN(64, s.base), true);
  v.setUint32(at + SEG.limit, s.limit >>> 0, true);
  v.setUint16(at + SEG.selector, s.selector, true);
  v.setUint8(at + SEG.type, s.type);
  v.setUint8(at + SEG.present, s.present);
  v.setUint8(at + SEG.dpl, s.dpl);
  v.setUint8(at + SEG.db, s.db);
  v.setUint8(at + SEG.s, s.s);
  v.setUint8(at + SEG.l, s.l);
  v.setUint8(at + SEG.g, s.g);
  v.setUint8(at + SEG.avl, s.avl);
  v.setUint8(at + SEG.unusable, s.unusable);
}

function decodeSegment(v: DataView, at: number): KvmSegment {
  return {
    base: v.getBigUint64(at + SEG.base, true),
    limit: v.getUint32(at + SEG.limit, true),
    selector: v.getUint16(at + SEG.selector, true),
    type: v.getUint8(at + SEG.type),
    present: v.getUint8(at + SEG.present),
    dpl: v.getUint8(at + SEG.dpl),
    db: v.getUint8(at + SEG.db),
    s: v.getUint8(at + SEG.s),
    l: v.getUint8(at + SEG.l),
    g: v.getUint8(at + SEG.g),
    avl: v.getUint8(at + SEG.avl),
    unusable: v.getUint8(at + SEG.unusable),
  };
}

function encodeDtable(v: DataView, at: number, d: KvmDtable): void {
  v.setBigUint64(at, BigInt.asUintN(64, d.base), true);
  v.setUint16(at + FIELD_OFFSET.kvm_dtable.limit, d.limit, true);
}

const decodeDtable = (v: DataView, at: number): KvmDtable =>
  ({ base: v.getBigUint64(at, true), limit: v.getUint16(at + FIELD_OFFSET.kvm_dtable.limit, true) });

const SR = FIELD_OFFSET.kvm_sregs;
const SREGS_U64 = ['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'apic_base'] as const;

export function encodeSregs(s: KvmSregs): Uint8Array {
  const out = new Uint8Array(SIZEOF.kvm_sregs);
  const v = view(out);
  for (const seg of KVM_SREGS_SEGMENTS) encodeSegment(v, SR[seg], s[seg]);
  encodeDtable(v, SR.gdt, s.gdt);
  encodeDtable(v, SR.idt, s.idt);
  for (const f of SREGS_U64) v.setBigUint64(SR[f], BigInt.asUintN(64, s[f]), true);
  s.interrupt_bitmap.forEach((w, i) => v.setBigUint64(SR.interrupt_bitmap + i * 8, w, true));
  return out;
}

export function decodeSregs(b: Uint8Array): KvmSregs {
  const v = view(b);
  const s = {} as KvmSregs;
  for (const seg of KVM_SREGS_SEGMENTS) s[seg] = decodeSegment(v, SR[seg]);
  s.gdt = decodeDtable(v, SR.gdt);
  s.idt = decodeDtable(v, SR.idt);
  for (const f of SREGS_U64) s[f] = v.getBigUint64(SR[f], true);
  s.interrupt_bitmap = [0, 1, 2, 3].map((i) => v.getBigUint64(SR.interrupt_bitmap + i * 8, true)) as KvmSregs['interrupt_bitmap'];
  return s;
}

/** struct kvm_msrs with its entries; `data` is ignored for a KVM_GET_MSRS request. */
export function encodeMsrs(entries: readonly { index: number; data?: bigint }[]): Uint8Array {
  const out = new Uint8Array(SIZEOF.kvm_msrs + entries.length * SIZEOF.kvm_msr_entry);
  const v = view(out);
  v.setUint32(FIELD_OFFSET.kvm_msrs.nmsrs, entries.length, true);
  entries.forEach((e, i) => {
    const at = FIELD_OFFSET.kvm_msrs.entries + i * SIZEOF.kvm_msr_entry;
    v.setUint32(at + FIELD_OFFSET.kvm_msr_entry.index, e.index >>> 0, true);
    v.setBigUint64(at + FIELD_OFFSET.kvm_msr_entry.data, BigInt.asUintN(64, e.data ?? 0n), true);
  });
  return out;
}

/** The first `count` entries of a kvm_msrs buffer. */
export function decodeMsrs(b: Uint8Array, count: number): { index: number; data: bigint }[] {
  const v = view(b);
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = FIELD_OFFSET.kvm_msrs.entries + i * SIZEOF.kvm_msr_entry;
    out.push({ index: v.getUint32(at + FIELD_OFFSET.kvm_msr_entry.index, true), data: v.getBigUint64(at + FIELD_OFFSET.kvm_msr_entry.data, true) });
  }
  return out;
}

/** An empty struct kvm_cpuid2 with room for `capacity` entries (for KVM_GET_SUPPORTED_CPUID). */
export function cpuidBuffer(capacity: number): Uint8Array {
  const out = new Uint8Array(SIZEOF.kvm_cpuid2 + capacity * SIZEOF.kvm_cpuid_entry2);
  view(out).setUint32(FIELD_OFFSET.kvm_cpuid2.nent, capacity, true);
  return out;
}

/** The number of entries KVM filled in a kvm_cpuid2 buffer. */
export const cpuidEntryCount = (b: Uint8Array) => view(b).getUint32(FIELD_OFFSET.kvm_cpuid2.nent, true);

export interface MemoryRegion { slot: number; flags: number; guestPhysAddr: bigint; memorySize: bigint; userspaceAddr: bigint }

export function encodeMemoryRegion(r: MemoryRegion): Uint8Array {
  const out = new Uint8Array(SIZEOF.kvm_userspace_memory_region);
  const v = view(out);
  const o = FIELD_OFFSET.kvm_userspace_memory_region;
  v.setUint32(o.slot, r.slot, true);
  v.setUint32(o.flags, r.flags, true);
  v.setBigUint64(o.guest_phys_addr, r.guestPhysAddr, true);
  v.setBigUint64(o.memory_size, r.memorySize, true);
  v.setBigUint64(o.userspace_addr, r.userspaceAddr, true);
  return out;
}
