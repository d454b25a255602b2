// The CPUID table a KVM vCPU gets (api.rst 4.46 KVM_GET_SUPPORTED_CPUID, 4.73 KVM_SET_CPUID2): what
// the host KVM supports, with the initial APIC ID (leaf 1 EBX[31:24], SDM Vol. 2A CPUID) set to the
// vCPU index, as kvmVcpuFd.ts sets it. Lookups follow KVM's rule: the subleaf only counts for
// entries flagged KVM_CPUID_FLAG_SIGNIFCANT_INDEX (KVMI reference §3.2 KVMI_VCPU_GET_CPUID).
import type { CpuidRegisters } from '../engine/guestCpuid';
import { FIELD_OFFSET, KVM_IOCTL, SIZEOF } from './kvmAbi';
import { KvmError } from './kvmError';
import { cpuidBuffer, cpuidEntryCount } from './kvmStructs';
import { check, libc } from './libc';

const E2BIG = 7;
const CPUID_LEAF1 = 1;
const KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

export interface KvmCpuidEntry extends CpuidRegisters { fn: number; index: number; flags: number }

/** KVM_GET_SUPPORTED_CPUID on the /dev/kvm descriptor, decoded. */
export function supportedCpuid(kvmFd: number): KvmCpuidEntry[] {
  const c = libc();
  for (let capacity = 64; capacity <= 4096; capacity *= 2) {
    const buf = cpuidBuffer(capacity);
    if (c.ioctlPtr(kvmFd, KVM_IOCTL.KVM_GET_SUPPORTED_CPUID, buf) >= 0) return decodeEntries(buf);
    if (c.koffi.errno() !== E2BIG) check(-1, 'vmSetup', 'KVM_GET_SUPPORTED_CPUID');
  }
  throw new KvmError('vmSetup', 'KVM_GET_SUPPORTED_CPUID wants more than 4096 entries');
}

function decodeEntries(buf: Uint8Array): KvmCpuidEntry[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const e = FIELD_OFFSET.kvm_cpuid_entry2;
  const entries: KvmCpuidEntry[] = [];
  for (let i = 0; i < cpuidEntryCount(buf); i++) {
    const at = FIELD_OFFSET.kvm_cpuid2.entries + i * SIZEOF.kvm_cpuid_entry2;
    const u32 = (offset: number) => v.getUint32(at + offset, true);
    entries.push({ fn: u32(e.function), index: u32(e.index), flags: u32(e.flags), eax: u32(e.eax), ebx: u32(e.ebx), ecx: u32(e.ecx), edx: u32(e.edx) });
  }
  return entries;
}

/** One leaf of vCPU `vcpuIndex`'s table, or undefined when KVM's table has no such entry. */
export function lookupCpuid(entries: readonly KvmCpuidEntry[], vcpuIndex: number, fn: number, index: number): CpuidRegisters | undefined {
  const entry = entries.find((x) => x.fn === fn >>> 0 && ((x.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) === 0 || x.index === index >>> 0));
  if (!entry) return undefined;
  const ebx = entry.fn === CPUID_LEAF1 ? ((entry.ebx & 0x00ff_ffff) | (vcpuIndex << 24)) >>> 0 : entry.ebx;
  return { eax: entry.eax, ebx, ecx: entry.ecx, edx: entry.edx };
}
