// Layout of struct kvmi_vcpu_event (544 bytes on x86_64): the vCPU state KVM sends with every vCPU
// event, i.e. mode, kvm_regs, kvm_sregs and the MSR block of kvmi_vcpu_event_arch (KVMI reference §4.1).
import type { KvmiEventMsrs } from '../../x86/kvmState';
import { bytes, pad, struct, u16, u32, u64, u8, type ValueOfLayout } from '../layoutDsl';
import { KVM_REGS, KVM_SREGS } from './x86';

/** The anonymous `struct { ... } msrs` member of kvmi_vcpu_event_arch. */
export const KVMI_VCPU_EVENT_ARCH_MSRS = struct('kvmi_vcpu_event_arch.msrs', 72, {
  sysenter_cs: u64, sysenter_esp: u64, sysenter_eip: u64,
  efer: u64, star: u64, lstar: u64, cstar: u64, pat: u64,
  shadow_gs: u64,
}, { anonymous: true });

export const KVMI_VCPU_EVENT_ARCH = struct('kvmi_vcpu_event_arch', 536, {
  mode: u8, padding: pad(bytes(7)),
  regs: KVM_REGS,
  sregs: KVM_SREGS,
  msrs: KVMI_VCPU_EVENT_ARCH_MSRS,
});

export const KVMI_VCPU_EVENT = struct('kvmi_vcpu_event', 544, {
  size: u16, vcpu: u16, padding: pad(u32),
  arch: KVMI_VCPU_EVENT_ARCH,
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<ValueOfLayout<typeof KVMI_VCPU_EVENT_ARCH_MSRS>, KvmiEventMsrs> = true;
void sameShape;
