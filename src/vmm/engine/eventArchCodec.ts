// A vCPU event's state snapshot (VcpuEventArch) in its wire form, struct kvmi_vcpu_event_arch
// (kvmi-protocol.md 4.1: mode, kvm_regs, kvm_sregs and the MSR block), for the hop from a vCPU thread
// to the VMM core through the event mailbox (eventMailbox.ts). The layout is the one the KVMI codec
// defines (src/vmm/kvmi/layouts/vcpuEvent.ts), so the VMM core decodes it only when someone reads the
// event's state, and the KVMI host sends the bytes to the tool as they are (eventWireState()).
import { decodeStruct, encodeStructInto, KVMI_VCPU_EVENT_ARCH } from '../kvmi';
import { VcpuEventArch } from './vcpuEvents';

/** Size in bytes of an encoded snapshot. */
export const EVENT_ARCH_BYTES = KVMI_VCPU_EVENT_ARCH.size;

/** Encodes `arch` into `out` (EVENT_ARCH_BYTES; a new array by default). */
export function encodeEventArch(arch: VcpuEventArch, out: Uint8Array = new Uint8Array(EVENT_ARCH_BYTES)): Uint8Array {
  if (out.byteLength !== EVENT_ARCH_BYTES) throw new RangeError(`an encoded event state takes ${EVENT_ARCH_BYTES} bytes, not ${out.byteLength}`);
  encodeStructInto(KVMI_VCPU_EVENT_ARCH, arch, out, 0);
  return out;
}

export function decodeEventArch(bytes: Uint8Array): VcpuEventArch {
  if (bytes.byteLength !== EVENT_ARCH_BYTES) throw new RangeError(`an encoded event state has ${EVENT_ARCH_BYTES} bytes, not ${bytes.byteLength}`);
  const arch = decodeStruct(KVMI_VCPU_EVENT_ARCH, bytes);
  if (arch.mode !== 2 && arch.mode !== 4 && arch.mode !== 8) throw new RangeError(`an encoded event state has mode ${arch.mode}, not 2, 4 or 8`);
  return arch as VcpuEventArch;
}
