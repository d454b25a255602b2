// Layouts of the vCPU-scoped command requests and replies (KVMI reference §3.2). On the wire each
// request body follows kvmi_msg_hdr and kvmi_vcpu_hdr; replies follow kvmi_error_code.
import { bytes, pad, struct, u16, u32, u64, u8, withTail } from '../layoutDsl';
import { KVM_MSR_ENTRY, KVM_MSRS, KVM_REGS, KVM_SREGS, KVM_XSAVE } from './x86';

export const KVMI_VCPU_GET_INFO_REPLY = struct('kvmi_vcpu_get_info_reply', 8, { tsc_speed: u64 });

export const KVMI_VCPU_CONTROL_EVENTS = struct('kvmi_vcpu_control_events', 8, {
  event_id: u16, enable: u8, padding1: pad(u8), padding2: pad(u32),
});

export const KVMI_VCPU_GET_REGISTERS = withTail(struct('kvmi_vcpu_get_registers', 8, {
  nmsrs: u16, padding1: pad(u16), padding2: pad(u32),
}), { name: 'msrs_idx', elem: u32, count: 'nmsrs' });

/** 472 fixed bytes, then kvm_msr_entry[msrs.nmsrs] (the flexible array of kvm_msrs). */
export const KVMI_VCPU_GET_REGISTERS_REPLY = withTail(struct('kvmi_vcpu_get_registers_reply', 472, {
  mode: u32, padding: pad(u32), regs: KVM_REGS, sregs: KVM_SREGS, msrs: KVM_MSRS,
}), { name: 'entries', elem: KVM_MSR_ENTRY, count: 'msrs.nmsrs', cPath: 'msrs.entries' });

/** KVMI_VCPU_SET_REGISTERS sends a bare struct kvm_regs. */
export const KVMI_VCPU_SET_REGISTERS = KVM_REGS;

export const KVMI_VCPU_GET_CPUID = struct('kvmi_vcpu_get_cpuid', 8, { function: u32, index: u32 });

export const KVMI_VCPU_GET_CPUID_REPLY = struct('kvmi_vcpu_get_cpuid_reply', 16, {
  eax: u32, ebx: u32, ecx: u32, edx: u32,
});

export const KVMI_VCPU_CONTROL_CR = struct('kvmi_vcpu_control_cr', 8, {
  cr: u8, enable: u8, padding1: pad(u16), padding2: pad(u32),
});

export const KVMI_VCPU_INJECT_EXCEPTION = struct('kvmi_vcpu_inject_exception', 16, {
  nr: u8, padding1: pad(u8), padding2: pad(u16), error_code: u32, address: u64,
});

export const KVMI_VCPU_GET_XCR = struct('kvmi_vcpu_get_xcr', 8, { xcr: u8, padding: pad(bytes(7)) });

export const KVMI_VCPU_GET_XCR_REPLY = struct('kvmi_vcpu_get_xcr_reply', 8, { value: u64 });

export const KVMI_VCPU_GET_XSAVE_REPLY = struct('kvmi_vcpu_get_xsave_reply', 4096, { xsave: KVM_XSAVE });

export const KVMI_VCPU_SET_XSAVE = struct('kvmi_vcpu_set_xsave', 4096, { xsave: KVM_XSAVE });

export const KVMI_VCPU_GET_MTRR_TYPE = struct('kvmi_vcpu_get_mtrr_type', 8, { gpa: u64 });

export const KVMI_VCPU_GET_MTRR_TYPE_REPLY = struct('kvmi_vcpu_get_mtrr_type_reply', 8, {
  type: u8, padding: pad(bytes(7)),
});

export const KVMI_VCPU_CONTROL_MSR = struct('kvmi_vcpu_control_msr', 8, {
  enable: u8, padding1: pad(u8), padding2: pad(u16), msr: u32,
});

export const KVMI_VCPU_CONTROL_SINGLESTEP = struct('kvmi_vcpu_control_singlestep', 8, {
  enable: u8, padding: pad(bytes(7)),
});

export const KVMI_VCPU_TRANSLATE_GVA = struct('kvmi_vcpu_translate_gva', 8, { gva: u64 });

export const KVMI_VCPU_TRANSLATE_GVA_REPLY = struct('kvmi_vcpu_translate_gva_reply', 8, { gpa: u64 });
