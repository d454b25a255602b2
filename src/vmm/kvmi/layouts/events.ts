// Layouts of the event-specific payloads that follow kvmi_vcpu_event, and of the event-specific
// replies that follow kvmi_vcpu_event_reply (KVMI reference §4.2).
import { bytes, pad, struct, u16, u32, u64, u8 } from '../layoutDsl';

export const KVMI_VCPU_EVENT_BREAKPOINT = struct('kvmi_vcpu_event_breakpoint', 16, {
  gpa: u64, insn_len: u8, padding: pad(bytes(7)),
});

export const KVMI_VCPU_EVENT_CR = struct('kvmi_vcpu_event_cr', 24, {
  cr: u8, padding: pad(bytes(7)), old_value: u64, new_value: u64,
});

export const KVMI_VCPU_EVENT_CR_REPLY = struct('kvmi_vcpu_event_cr_reply', 8, { new_val: u64 });

export const KVMI_VCPU_EVENT_TRAP = struct('kvmi_vcpu_event_trap', 16, {
  nr: u8, padding1: pad(u8), padding2: pad(u16), error_code: u32, address: u64,
});

export const KVMI_VCPU_EVENT_XSETBV = struct('kvmi_vcpu_event_xsetbv', 24, {
  xcr: u8, padding: pad(bytes(7)), old_value: u64, new_value: u64,
});

export const KVMI_VCPU_EVENT_DESCRIPTOR = struct('kvmi_vcpu_event_descriptor', 8, {
  descriptor: u8, write: u8, padding: pad(bytes(6)),
});

export const KVMI_VCPU_EVENT_MSR = struct('kvmi_vcpu_event_msr', 24, {
  msr: u32, padding: pad(u32), old_value: u64, new_value: u64,
});

export const KVMI_VCPU_EVENT_MSR_REPLY = struct('kvmi_vcpu_event_msr_reply', 8, { new_val: u64 });

/** Page-access fault (KVMI reference §5): `access` is the one attempted R/W/X bit. */
export const KVMI_VCPU_EVENT_PF = struct('kvmi_vcpu_event_pf', 24, {
  gva: u64, gpa: u64, access: u8, padding1: pad(u8), padding2: pad(u16), padding3: pad(u32),
});

export const KVMI_VCPU_EVENT_SINGLESTEP = struct('kvmi_vcpu_event_singlestep', 8, {
  failed: u8, padding: pad(bytes(7)),
});
