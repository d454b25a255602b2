// What the debug adapter needs from the introspected machine, independent of the wire: vCPU
// registers, guest memory (virtual through a vCPU's page tables, or physical), page-access
// restrictions, pause/continue and the KVMI vCPU events with their replies. The KVMI client
// implements it (kvmiTarget.ts); unit tests implement it in memory.
import type { EventEmitter } from 'node:events';

/** struct kvm_regs (KVMI reference section 4.1): general registers, RIP and RFLAGS. */
export interface GeneralRegisters {
  rax: bigint; rbx: bigint; rcx: bigint; rdx: bigint;
  rsi: bigint; rdi: bigint; rsp: bigint; rbp: bigint;
  r8: bigint; r9: bigint; r10: bigint; r11: bigint;
  r12: bigint; r13: bigint; r14: bigint; r15: bigint;
  rip: bigint; rflags: bigint;
}

export const GENERAL_REGISTER_NAMES: readonly (keyof GeneralRegisters)[] = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags',
];

/** struct kvm_segment (24 bytes in kvm_sregs). */
export interface SegmentRegister {
  base: bigint; limit: number; selector: number; type: number;
  present: number; dpl: number; db: number; s: number; l: number; g: number; avl: number; unusable: number;
}

/** struct kvm_dtable: GDTR / IDTR. */
export interface DescriptorTable { base: bigint; limit: number }

export const SEGMENT_NAMES = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt'] as const;
export type SegmentName = typeof SEGMENT_NAMES[number];

/** struct kvm_sregs: segments, descriptor tables, control registers, EFER, APIC base. */
export interface SpecialRegisters {
  segments: Record<SegmentName, SegmentRegister>;
  gdt: DescriptorTable; idt: DescriptorTable;
  cr0: bigint; cr2: bigint; cr3: bigint; cr4: bigint; cr8: bigint;
  efer: bigint; apicBase: bigint;
}

/** The MSRs every KVMI vCPU event carries (kvmi_vcpu_event_arch.msrs). */
export interface EventMsrs {
  sysenterCs: bigint; sysenterEsp: bigint; sysenterEip: bigint; efer: bigint;
  star: bigint; lstar: bigint; cstar: bigint; pat: bigint; shadowGs: bigint;
}

/** The state of one vCPU as an event or GET_REGISTERS reports it. */
export interface VcpuState {
  /** Address size in bytes: 2, 4 or 8 (kvmi_vcpu_event_arch.mode). */
  mode: 2 | 4 | 8;
  regs: GeneralRegisters;
  sregs: SpecialRegisters;
  msrs: EventMsrs | undefined;
}

/** KVMI_PAGE_ACCESS_* bits (reference section 5): a set bit means the access is allowed. */
export const PAGE_R = 1;
export const PAGE_W = 2;
export const PAGE_X = 4;
export const PAGE_RWX = 7;

export interface PageAccessEntry { gpa: bigint; access: number }

/** Reply actions (KVMI_EVENT_ACTION_*). */
export type EventAction = 'continue' | 'retry' | 'crash';

interface VcpuEventBase {
  vcpu: number;
  state: VcpuState;
  /** Answers the event; the vCPU stays stopped until this is called. */
  reply(action: EventAction): Promise<void>;
}

/** KVMI_VCPU_EVENT_PF: `access` is exactly one of PAGE_R, PAGE_W, PAGE_X. */
export interface PageFaultEvent extends VcpuEventBase { kind: 'pf'; gva: bigint; gpa: bigint; access: number }
export interface BreakpointEvent extends VcpuEventBase { kind: 'breakpoint'; gpa: bigint; insnLength: number }
export interface SingleStepEvent extends VcpuEventBase { kind: 'singlestep'; failed: boolean }
export interface PauseEvent extends VcpuEventBase { kind: 'pause' }
export type VcpuEvent = PageFaultEvent | BreakpointEvent | SingleStepEvent | PauseEvent;

/** Events a target emits besides vCPU events: 'vcpuEvent' (VcpuEvent), 'unhook', 'closed' (reason). */
export interface IntrospectionTarget extends EventEmitter {
  readonly vcpuCount: number;
  /** True when the host can single-step (KVMI_GET_VERSION features.singlestep). */
  readonly canSingleStep: boolean;
  getRegisters(vcpu: number, msrIndexes?: readonly number[]): Promise<{ state: VcpuState; msrs: Map<number, bigint> }>;
  /** Applied when the vCPU's current event is answered (KVMI_VCPU_SET_REGISTERS). */
  setRegisters(vcpu: number, regs: GeneralRegisters): Promise<void>;
  /** UNMAPPED (2^64-1) when the guest page tables do not map the address. */
  translate(vcpu: number, gva: bigint): Promise<bigint>;
  readPhysical(gpa: bigint, size: number): Promise<Uint8Array>;
  writePhysical(gpa: bigint, data: Uint8Array): Promise<void>;
  setPageAccess(entries: readonly PageAccessEntry[]): Promise<void>;
  /** Enables or disables a controllable vCPU event ('pf', 'breakpoint'). */
  controlEvent(vcpu: number, event: 'pf' | 'breakpoint', enable: boolean): Promise<void>;
  controlSingleStep(vcpu: number, enable: boolean): Promise<void>;
  /** KVMI_VM_PAUSE_VCPU: the vCPU reports a 'pause' event when it has stopped. */
  pauseVcpu(vcpu: number): Promise<void>;
  /** Ends introspection: restrictions are dropped and the guest keeps running. */
  close(): Promise<void>;
}

export const UNMAPPED = 0xffff_ffff_ffff_ffffn;
