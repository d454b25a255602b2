// The Linux KVM user-space ABI used by the KVM engine, in one place: ioctl numbers built with the
// _IO/_IOR/_IOW/_IOWR encoding of <asm-generic/ioctl.h>, and the byte layouts (x86-64) of the
// structures of <linux/kvm.h> and <asm/kvm.h> that cross the ioctl boundary (Documentation/virt/kvm/
// api.rst sections 4.x and 5 "The kvm_run structure"). test/unit/kvm/abi.test.ts checks every number
// and offset here against a C program compiled with the system's <linux/kvm.h>.

/** ioctl direction bits (<asm-generic/ioctl.h>). */
const IOC_NONE = 0, IOC_WRITE = 1, IOC_READ = 2;
const KVMIO = 0xae;

function ioc(dir: number, nr: number, size: number): number {
  // dir in bits 30-31, size in bits 16-29, type in 8-15, number in 0-7; kept unsigned.
  return ((dir << 30) | (size << 16) | (KVMIO << 8) | nr) >>> 0;
}
const io = (nr: number) => ioc(IOC_NONE, nr, 0);
const ior = (nr: number, size: number) => ioc(IOC_READ, nr, size);
const iow = (nr: number, size: number) => ioc(IOC_WRITE, nr, size);
const iowr = (nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, nr, size);

/** Sizes of the structures named in ioctl numbers (x86-64). */
export const SIZEOF = {
  kvm_userspace_memory_region: 32,
  kvm_regs: 144,
  kvm_segment: 24,
  kvm_dtable: 16,
  kvm_sregs: 312,
  kvm_msrs: 8,
  kvm_msr_entry: 16,
  kvm_cpuid2: 8,
  kvm_cpuid_entry2: 40,
  kvm_interrupt: 4,
  kvm_xsave: 4096,
  kvm_xcrs: 392,
  kvm_vcpu_events: 64,
  kvm_guest_debug: 72,
  kvm_stats_header: 24,
  kvm_stats_desc: 16,
  u64: 8,
} as const;

/** ioctl request numbers (api.rst section 4). */
export const KVM_IOCTL = {
  KVM_GET_API_VERSION: io(0x00),
  KVM_CREATE_VM: io(0x01),
  KVM_CHECK_EXTENSION: io(0x03),
  KVM_GET_VCPU_MMAP_SIZE: io(0x04),
  KVM_GET_SUPPORTED_CPUID: iowr(0x05, SIZEOF.kvm_cpuid2),
  KVM_CREATE_VCPU: io(0x41),
  KVM_SET_USER_MEMORY_REGION: iow(0x46, SIZEOF.kvm_userspace_memory_region),
  KVM_SET_TSS_ADDR: io(0x47),
  KVM_SET_IDENTITY_MAP_ADDR: iow(0x48, SIZEOF.u64),
  KVM_CREATE_IRQCHIP: io(0x60),
  KVM_RUN: io(0x80),
  KVM_GET_STATS_FD: io(0xce),
  KVM_GET_REGS: ior(0x81, SIZEOF.kvm_regs),
  KVM_SET_REGS: iow(0x82, SIZEOF.kvm_regs),
  KVM_GET_SREGS: ior(0x83, SIZEOF.kvm_sregs),
  KVM_SET_SREGS: iow(0x84, SIZEOF.kvm_sregs),
  KVM_INTERRUPT: iow(0x86, SIZEOF.kvm_interrupt),
  KVM_GET_MSRS: iowr(0x88, SIZEOF.kvm_msrs),
  KVM_SET_MSRS: iow(0x89, SIZEOF.kvm_msrs),
  KVM_SET_CPUID2: iow(0x90, SIZEOF.kvm_cpuid2),
  KVM_SET_GUEST_DEBUG: iow(0x9b, SIZEOF.kvm_guest_debug),
  KVM_GET_VCPU_EVENTS: ior(0x9f, SIZEOF.kvm_vcpu_events),
  KVM_SET_VCPU_EVENTS: iow(0xa0, SIZEOF.kvm_vcpu_events),
  KVM_GET_TSC_KHZ: io(0xa3),
  KVM_GET_XSAVE: ior(0xa4, SIZEOF.kvm_xsave),
  KVM_SET_XSAVE: iow(0xa5, SIZEOF.kvm_xsave),
  KVM_GET_XCRS: ior(0xa6, SIZEOF.kvm_xcrs),
} as const;

/** The API version every KVM since Linux 2.6.22 reports (api.rst 4.1). */
export const KVM_API_VERSION = 12;

/** Capabilities queried with KVM_CHECK_EXTENSION (<linux/kvm.h> KVM_CAP_*). */
export const KVM_CAP = {
  KVM_CAP_USER_MEMORY: 3,
  KVM_CAP_SET_TSS_ADDR: 4,
  KVM_CAP_EXT_CPUID: 7,
  KVM_CAP_NR_MEMSLOTS: 10,
  KVM_CAP_SET_IDENTITY_MAP_ADDR: 37,
  KVM_CAP_XSAVE: 55,
  KVM_CAP_READONLY_MEM: 81,
  KVM_CAP_IMMEDIATE_EXIT: 136,
  KVM_CAP_SYNC_REGS: 74,
} as const;

/** kvm_run.kvm_valid_regs / kvm_dirty_regs bits (<asm/kvm.h> KVM_SYNC_X86_*, api.rst 5 "kvm_valid_regs"). */
export const KVM_SYNC_X86 = { REGS: 1, SREGS: 2 } as const;

/** kvm_run.exit_reason values (<linux/kvm.h> KVM_EXIT_*). */
export const KVM_EXIT = {
  UNKNOWN: 0, EXCEPTION: 1, IO: 2, HYPERCALL: 3, DEBUG: 4, HLT: 5, MMIO: 6, IRQ_WINDOW_OPEN: 7,
  SHUTDOWN: 8, FAIL_ENTRY: 9, INTR: 10, INTERNAL_ERROR: 17, SYSTEM_EVENT: 24,
} as const;

export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;
/** kvm_run.internal.suberror: KVM's instruction emulator gave up (api.rst, KVM_EXIT_INTERNAL_ERROR). */
export const KVM_INTERNAL_ERROR_EMULATION = 1;

/** Byte offsets inside struct kvm_run (x86-64; api.rst section 5). The union starts at 32. */
export const KVM_RUN_OFFSET = {
  request_interrupt_window: 0,
  immediate_exit: 1,
  exit_reason: 8,
  ready_for_interrupt_injection: 12,
  if_flag: 13,
  flags: 14,
  cr8: 16,
  apic_base: 24,
  io_direction: 32,
  io_size: 33,
  io_port: 34,
  io_count: 36,
  io_data_offset: 40,
  mmio_phys_addr: 32,
  mmio_data: 40,
  mmio_len: 48,
  mmio_is_write: 52,
  internal_suberror: 32,
  internal_ndata: 36,
  internal_data: 40,
  fail_entry_hardware_entry_failure_reason: 32,
  fail_entry_cpu: 40,
  system_event_type: 32,
  /** Register classes KVM stores into `s` at every return from KVM_RUN (KVM_CAP_SYNC_REGS). */
  kvm_valid_regs: 288,
  /** Register classes user space changed in `s`; KVM loads them at the next KVM_RUN and clears the bits. */
  kvm_dirty_regs: 296,
  /** s.regs.regs (struct kvm_regs) and s.regs.sregs (struct kvm_sregs) of struct kvm_sync_regs. */
  sync_regs: 304,
  sync_sregs: 448,
} as const;

/** Field offsets of the fixed-layout structures (checked against the C compiler). */
export const FIELD_OFFSET = {
  kvm_userspace_memory_region: { slot: 0, flags: 4, guest_phys_addr: 8, memory_size: 16, userspace_addr: 24 },
  kvm_segment: { base: 0, limit: 8, selector: 12, type: 14, present: 15, dpl: 16, db: 17, s: 18, l: 19, g: 20, avl: 21, unusable: 22 },
  kvm_dtable: { base: 0, limit: 8 },
  kvm_sregs: {
    cs: 0, ds: 24, es: 48, fs: 72, gs: 96, ss: 120, tr: 144, ldt: 168, gdt: 192, idt: 208,
    cr0: 224, cr2: 232, cr3: 240, cr4: 248, cr8: 256, efer: 264, apic_base: 272, interrupt_bitmap: 280,
  },
  kvm_regs: {
    rax: 0, rbx: 8, rcx: 16, rdx: 24, rsi: 32, rdi: 40, rsp: 48, rbp: 56, r8: 64, r9: 72, r10: 80,
    r11: 88, r12: 96, r13: 104, r14: 112, r15: 120, rip: 128, rflags: 136,
  },
  kvm_msrs: { nmsrs: 0, entries: 8 },
  kvm_msr_entry: { index: 0, data: 8 },
  kvm_cpuid2: { nent: 0, entries: 8 },
  kvm_cpuid_entry2: { function: 0, index: 4, flags: 8, eax: 12, ebx: 16, ecx: 20, edx: 24 },
  kvm_xcrs: { nr_xcrs: 0, flags: 4, xcrs: 8 },
  kvm_stats_header: { flags: 0, name_size: 4, num_desc: 8, id_offset: 12, desc_offset: 16, data_offset: 20 },
  kvm_stats_desc: { flags: 0, exponent: 4, size: 6, offset: 8, bucket_size: 12, name: 16 },
} as const;

/** The order of kvm_regs fields, 8 bytes each. */
export const KVM_REGS_ORDER = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags',
] as const;

/** The segment fields of kvm_sregs, in layout order. */
export const KVM_SREGS_SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt'] as const;
