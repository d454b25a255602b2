// The x86 vCPU state shapes that KVM and KVMI exchange (struct kvm_regs, kvm_segment, kvm_dtable,
// kvm_sregs and the KVMI event MSR block), with the C field names of <linux/kvm.h> and the KVMI v12
// uAPI. One definition used by the KVMI codec, both engines and the debug adapter.
// 64-bit quantities are bigint (unsigned); 8/16/32-bit quantities are number.

/** struct kvm_regs (144 bytes): general-purpose registers, RIP and RFLAGS. */
export interface KvmRegs {
  rax: bigint; rbx: bigint; rcx: bigint; rdx: bigint;
  rsi: bigint; rdi: bigint; rsp: bigint; rbp: bigint;
  r8: bigint; r9: bigint; r10: bigint; r11: bigint;
  r12: bigint; r13: bigint; r14: bigint; r15: bigint;
  rip: bigint; rflags: bigint;
}

/** struct kvm_segment (24 bytes): a segment register's hidden part, unpacked (SDM Vol. 3A 3.4.5). */
export interface KvmSegment {
  base: bigint;
  limit: number;
  selector: number;
  type: number;
  present: number;
  dpl: number;
  db: number;
  s: number;
  l: number;
  g: number;
  avl: number;
  unusable: number;
}

/** struct kvm_dtable (16 bytes): GDTR/IDTR. */
export interface KvmDtable {
  base: bigint;
  limit: number;
}

/** struct kvm_sregs (312 bytes): segment, descriptor-table and control registers. */
export interface KvmSregs {
  cs: KvmSegment; ds: KvmSegment; es: KvmSegment; fs: KvmSegment; gs: KvmSegment; ss: KvmSegment;
  tr: KvmSegment; ldt: KvmSegment;
  gdt: KvmDtable; idt: KvmDtable;
  cr0: bigint; cr2: bigint; cr3: bigint; cr4: bigint; cr8: bigint;
  efer: bigint;
  apic_base: bigint;
  /** 256 bits of pending external interrupts, as four u64 words. */
  interrupt_bitmap: [bigint, bigint, bigint, bigint];
}

/** The MSR block of struct kvmi_vcpu_event_arch (72 bytes). */
export interface KvmiEventMsrs {
  sysenter_cs: bigint;
  sysenter_esp: bigint;
  sysenter_eip: bigint;
  efer: bigint;
  star: bigint;
  lstar: bigint;
  cstar: bigint;
  pat: bigint;
  shadow_gs: bigint;
}

/** struct kvm_msr_entry (16 bytes). */
export interface KvmMsrEntry {
  index: number;
  data: bigint;
}

/** Architectural MSR numbers used across the project (SDM Vol. 4, Table 2-2). */
export const MSR = {
  IA32_TSC: 0x10,
  IA32_APIC_BASE: 0x1b,
  IA32_MISC_FEATURES_ENABLES: 0x140,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_PAT: 0x277,
  IA32_EFER: 0xc0000080,
  STAR: 0xc0000081,
  LSTAR: 0xc0000082,
  CSTAR: 0xc0000083,
  SFMASK: 0xc0000084,
  FS_BASE: 0xc0000100,
  GS_BASE: 0xc0000101,
  KERNEL_GS_BASE: 0xc0000102,
  TSC_AUX: 0xc0000103,
} as const;

/** A zeroed kvm_regs. */
export function emptyRegs(): KvmRegs {
  return {
    rax: 0n, rbx: 0n, rcx: 0n, rdx: 0n, rsi: 0n, rdi: 0n, rsp: 0n, rbp: 0n,
    r8: 0n, r9: 0n, r10: 0n, r11: 0n, r12: 0n, r13: 0n, r14: 0n, r15: 0n,
    rip: 0n, rflags: 2n,
  };
}

/** A zeroed kvm_segment. */
export function emptySegment(): KvmSegment {
  return { base: 0n, limit: 0, selector: 0, type: 0, present: 0, dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 0 };
}

/** A zeroed kvm_sregs. */
export function emptySregs(): KvmSregs {
  return {
    cs: emptySegment(), ds: emptySegment(), es: emptySegment(), fs: emptySegment(),
    gs: emptySegment(), ss: emptySegment(), tr: emptySegment(), ldt: emptySegment(),
    gdt: { base: 0n, limit: 0 }, idt: { base: 0n, limit: 0 },
    cr0: 0n, cr2: 0n, cr3: 0n, cr4: 0n, cr8: 0n, efer: 0n, apic_base: 0n,
    interrupt_bitmap: [0n, 0n, 0n, 0n],
  };
}
