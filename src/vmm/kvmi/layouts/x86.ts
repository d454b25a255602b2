// Layouts of the <linux/kvm.h> x86 structures that KVMI embeds: kvm_regs, kvm_segment, kvm_dtable,
// kvm_sregs, kvm_msrs, kvm_msr_entry and kvm_xsave (arch/x86/include/uapi/asm/kvm.h; KVMI reference §4.1).
// The value types are checked at compile time against the shared shapes in src/vmm/x86/kvmState.ts.
import type { KvmDtable, KvmMsrEntry, KvmRegs, KvmSegment, KvmSregs } from '../../x86/kvmState';
import { array, pad, struct, u16, u32, u64, u8, type ValueOfLayout } from '../layoutDsl';

export const KVM_REGS = struct('kvm_regs', 144, {
  rax: u64, rbx: u64, rcx: u64, rdx: u64,
  rsi: u64, rdi: u64, rsp: u64, rbp: u64,
  r8: u64, r9: u64, r10: u64, r11: u64,
  r12: u64, r13: u64, r14: u64, r15: u64,
  rip: u64, rflags: u64,
});

/** Unpacked segment register, hidden part included (SDM Vol. 3A §3.4.5). */
export const KVM_SEGMENT = struct('kvm_segment', 24, {
  base: u64, limit: u32, selector: u16, type: u8,
  present: u8, dpl: u8, db: u8, s: u8, l: u8, g: u8, avl: u8,
  unusable: u8, padding: pad(u8),
});

/** GDTR/IDTR (SDM Vol. 3A §2.4.1, §2.4.3). */
export const KVM_DTABLE = struct('kvm_dtable', 16, {
  base: u64, limit: u16, padding: pad(array(u16, 3)),
});

export const KVM_SREGS = struct('kvm_sregs', 312, {
  cs: KVM_SEGMENT, ds: KVM_SEGMENT, es: KVM_SEGMENT, fs: KVM_SEGMENT, gs: KVM_SEGMENT, ss: KVM_SEGMENT,
  tr: KVM_SEGMENT, ldt: KVM_SEGMENT,
  gdt: KVM_DTABLE, idt: KVM_DTABLE,
  cr0: u64, cr2: u64, cr3: u64, cr4: u64, cr8: u64,
  efer: u64, apic_base: u64,
  interrupt_bitmap: array(u64, 4),
});

/** struct kvm_msr_entry; `reserved` is padding. */
export const KVM_MSR_ENTRY = struct('kvm_msr_entry', 16, { index: u32, reserved: pad(u32), data: u64 });

/**
 * struct kvm_msrs without its flexible `entries[]` (KVMI's GET_REGISTERS reply carries the entries as
 * its own tail); the kvm_msr_entry array still makes the struct 8-byte aligned.
 */
export const KVM_MSRS = struct('kvm_msrs', 8, { nmsrs: u32, pad: pad(u32) }, { flexibleAlign: KVM_MSR_ENTRY.align });

/** struct kvm_xsave: the 4 KiB legacy XSAVE image (SDM Vol. 1 §13.4). */
export const KVM_XSAVE = struct('kvm_xsave', 4096, { region: array(u32, 1024) });

// Compile-time proof that the layouts produce exactly the shared state shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<ValueOfLayout<typeof KVM_REGS>, KvmRegs>,
  Same<ValueOfLayout<typeof KVM_SEGMENT>, KvmSegment>,
  Same<ValueOfLayout<typeof KVM_DTABLE>, KvmDtable>,
  Same<ValueOfLayout<typeof KVM_SREGS>, KvmSregs>,
  Same<ValueOfLayout<typeof KVM_MSR_ENTRY>, KvmMsrEntry>,
] = [true, true, true, true, true];
void sameShapes;
