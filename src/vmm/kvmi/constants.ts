// KVMI v12 numeric constants: message ids (VM ids even, vCPU ids odd), event ids, event actions,
// page-access bits, descriptor ids, error codes as sent on the wire, and size limits
// (KVMI reference §2.1, §3.0, §4.1, §4.2, §5, §6).

/** KVMI_VM_MESSAGE_ID(n) = n << 1: handled by the receiving thread (reference §2.1). */
export const vmMessageId = (n: number): number => n << 1;
/** KVMI_VCPU_MESSAGE_ID(n) = (n << 1) | 1: run on the target vCPU (reference §2.1). */
export const vcpuMessageId = (n: number): number => (n << 1) | 1;
/** Scope of a message or event id by the parity rule. */
export const scopeOfId = (id: number): 'vm' | 'vcpu' => ((id & 1) === 1 ? 'vcpu' : 'vm');

export const KVMI_VERSION = 1;

/** Wire ids of kvmi_msg_hdr.id (reference §3.0). */
export const KVMI_MSG = {
  KVMI_VM_EVENT: vmMessageId(0),
  KVMI_GET_VERSION: vmMessageId(1),
  KVMI_VM_CHECK_COMMAND: vmMessageId(2),
  KVMI_VM_CHECK_EVENT: vmMessageId(3),
  KVMI_VM_GET_INFO: vmMessageId(4),
  KVMI_VM_CONTROL_EVENTS: vmMessageId(5),
  KVMI_VM_READ_PHYSICAL: vmMessageId(6),
  KVMI_VM_WRITE_PHYSICAL: vmMessageId(7),
  KVMI_VM_PAUSE_VCPU: vmMessageId(8),
  KVMI_VM_CONTROL_CLEANUP: vmMessageId(9),
  KVMI_VM_SET_PAGE_ACCESS: vmMessageId(10),
  KVMI_VCPU_EVENT: vcpuMessageId(0),
  KVMI_VCPU_GET_INFO: vcpuMessageId(1),
  KVMI_VCPU_CONTROL_EVENTS: vcpuMessageId(2),
  KVMI_VCPU_GET_REGISTERS: vcpuMessageId(3),
  KVMI_VCPU_SET_REGISTERS: vcpuMessageId(4),
  KVMI_VCPU_GET_CPUID: vcpuMessageId(5),
  KVMI_VCPU_CONTROL_CR: vcpuMessageId(6),
  KVMI_VCPU_INJECT_EXCEPTION: vcpuMessageId(7),
  KVMI_VCPU_GET_XCR: vcpuMessageId(8),
  KVMI_VCPU_GET_XSAVE: vcpuMessageId(9),
  KVMI_VCPU_SET_XSAVE: vcpuMessageId(10),
  KVMI_VCPU_GET_MTRR_TYPE: vcpuMessageId(11),
  KVMI_VCPU_CONTROL_MSR: vcpuMessageId(12),
  KVMI_VCPU_CONTROL_SINGLESTEP: vcpuMessageId(13),
  KVMI_VCPU_TRANSLATE_GVA: vcpuMessageId(14),
} as const;

/** Event ids carried in kvmi_event_hdr.event (reference §4.2). */
export const KVMI_EVENT = {
  KVMI_VM_EVENT_UNHOOK: vmMessageId(0),
  KVMI_VCPU_EVENT_PAUSE: vcpuMessageId(0),
  KVMI_VCPU_EVENT_HYPERCALL: vcpuMessageId(1),
  KVMI_VCPU_EVENT_BREAKPOINT: vcpuMessageId(2),
  KVMI_VCPU_EVENT_CR: vcpuMessageId(3),
  KVMI_VCPU_EVENT_TRAP: vcpuMessageId(4),
  KVMI_VCPU_EVENT_XSETBV: vcpuMessageId(5),
  KVMI_VCPU_EVENT_DESCRIPTOR: vcpuMessageId(6),
  KVMI_VCPU_EVENT_MSR: vcpuMessageId(7),
  KVMI_VCPU_EVENT_PF: vcpuMessageId(8),
  KVMI_VCPU_EVENT_SINGLESTEP: vcpuMessageId(9),
} as const;

/** kvmi_vcpu_event_reply.action (reference §4.1). */
export const KVMI_EVENT_ACTION = { CONTINUE: 0, RETRY: 1, CRASH: 2 } as const;
export type KvmiEventAction = (typeof KVMI_EVENT_ACTION)[keyof typeof KVMI_EVENT_ACTION];

/** Page-access bits: a set bit means the access is allowed (reference §5). */
export const KVMI_PAGE_ACCESS = { R: 1 << 0, W: 1 << 1, X: 1 << 2 } as const;

/** kvmi_vcpu_event_descriptor.descriptor (reference §4.2). */
export const KVMI_DESC = { IDTR: 1, GDTR: 2, LDTR: 3, TR: 4 } as const;

/** Error codes exactly as sent in kvmi_error_code.err: the negated KVM_E* values (reference §6). */
export const KVMI_ERR = {
  EPERM: -1,
  ENOENT: -2,
  E2BIG: -7,
  EAGAIN: -11,
  ENOMEM: -12,
  EFAULT: -14,
  EBUSY: -16,
  EINVAL: -22,
  EOPNOTSUPP: -95,
  ENOSYS: -1000,
} as const;
export type KvmiErrorCode = (typeof KVMI_ERR)[keyof typeof KVMI_ERR];

/** The gpa/gva value meaning "no translation" (reference §3.2 TRANSLATE_GVA, §5). */
export const UNMAPPED_GVA = 0xffff_ffff_ffff_ffffn;

/** sizeof(struct kvmi_msg_hdr). */
export const KVMI_MSG_HDR_SIZE = 8;
/** sizeof(struct kvmi_vcpu_hdr). */
export const KVMI_VCPU_HDR_SIZE = 8;
/** sizeof(struct kvmi_error_code). */
export const KVMI_ERROR_CODE_SIZE = 8;
/** sizeof(struct kvmi_event_hdr). */
export const KVMI_EVENT_HDR_SIZE = 8;
/** sizeof(struct kvmi_vcpu_event) on x86_64. */
export const KVMI_VCPU_EVENT_SIZE = 544;
/** kvmi_vcpu_hdr + kvmi_vcpu_event_reply: the smallest valid event reply payload. */
export const KVMI_EVENT_REPLY_MIN_SIZE = 16;
/** Largest payload after kvmi_msg_hdr: 4096 * 2 - 8 (reference §2.1). */
export const KVMI_MAX_MSG_SIZE = 4096 * 2 - KVMI_MSG_HDR_SIZE;
/** Guest page size used by READ/WRITE_PHYSICAL and page access. */
export const KVMI_PAGE_SIZE = 4096;
