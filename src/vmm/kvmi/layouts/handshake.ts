// Layouts of the QEMU <-> introspection-tool handshake (KVM-VMI/qemu vmi-handshake.h; KVMI reference
// §1.2) and of the KVM_INTROSPECTION_* ioctl arguments (KVMI reference §1.3).
import { bytes, pad, s32, s64, struct, u32, u64 } from '../layoutDsl';

/** Sent by QEMU first; 104 bytes with max_gpa (96 in the older layout that ends at `name`). */
export const QEMU_VMI_TO_INTROSPECTOR = struct('qemu_vmi_to_introspector', 104, {
  struct_size: u32,
  uuid: bytes(16),
  padding: pad(u32),
  start_time: s64,
  name: bytes(64),
  max_gpa: u64,
});

/** The tool's answer: 24 bytes. */
export const QEMU_VMI_FROM_INTROSPECTOR = struct('qemu_vmi_from_introspector', 24, {
  struct_size: u32,
  cookie_hash: bytes(20),
});

export const KVM_INTROSPECTION_HOOK = struct('kvm_introspection_hook', 24, {
  fd: s32, padding: pad(u32), uuid: bytes(16),
});

export const KVM_INTROSPECTION_FEATURE = struct('kvm_introspection_feature', 8, { allow: u32, id: s32 });
