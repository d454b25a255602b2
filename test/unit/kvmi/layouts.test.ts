// The layout table against the sizes and offsets the KVMI reference states (§1.2, §2.1, §3, §4), and
// the structural invariants every layout must keep: fields tile the struct with no hole, padding
// marked, tails at the end. (The C compiler comparison is in cLayout.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_LAYOUTS, findField, struct, u8, u64, KvmiLayoutError, type StructLayout } from '../../../src/vmm/kvmi';
import * as L from '../../../src/vmm/kvmi/layouts';

const referenceSizes: [StructLayout, number][] = [
  [L.KVMI_MSG_HDR, 8], [L.KVMI_ERROR_CODE, 8], [L.KVMI_VCPU_HDR, 8], [L.KVMI_EVENT_HDR, 8],
  [L.KVMI_VCPU_EVENT_REPLY, 8], [L.KVM_REGS, 144], [L.KVM_SREGS, 312], [L.KVM_SEGMENT, 24], [L.KVM_DTABLE, 16],
  [L.KVM_MSRS, 8], [L.KVM_MSR_ENTRY, 16], [L.KVM_XSAVE, 4096], [L.KVMI_VCPU_EVENT_ARCH, 536], [L.KVMI_VCPU_EVENT, 544],
  [L.KVMI_VCPU_GET_REGISTERS_REPLY, 472], [L.KVMI_GET_VERSION_REPLY, 16], [L.KVMI_VM_GET_INFO_REPLY, 16],
  [L.KVMI_VM_READ_PHYSICAL, 16], [L.KVMI_VM_WRITE_PHYSICAL, 16], [L.KVMI_PAGE_ACCESS_ENTRY, 16],
  [L.KVMI_VM_SET_PAGE_ACCESS, 8], [L.KVMI_VCPU_INJECT_EXCEPTION, 16], [L.KVMI_VCPU_GET_CPUID_REPLY, 16],
  [L.KVMI_VCPU_EVENT_BREAKPOINT, 16], [L.KVMI_VCPU_EVENT_CR, 24], [L.KVMI_VCPU_EVENT_TRAP, 16],
  [L.KVMI_VCPU_EVENT_XSETBV, 24], [L.KVMI_VCPU_EVENT_DESCRIPTOR, 8], [L.KVMI_VCPU_EVENT_MSR, 24],
  [L.KVMI_VCPU_EVENT_PF, 24], [L.KVMI_VCPU_EVENT_SINGLESTEP, 8], [L.QEMU_VMI_TO_INTROSPECTOR, 104],
  [L.QEMU_VMI_FROM_INTROSPECTOR, 24], [L.KVM_INTROSPECTION_HOOK, 24], [L.KVM_INTROSPECTION_FEATURE, 8],
];

test('every struct has the size the reference gives', () => {
  for (const [layout, size] of referenceSizes) assert.equal(layout.size, size, layout.name);
});

const referenceOffsets: [StructLayout, string, number][] = [
  [L.KVMI_VCPU_EVENT, 'arch', 8], [L.KVMI_VCPU_EVENT_ARCH, 'regs', 8], [L.KVMI_VCPU_EVENT_ARCH, 'sregs', 152],
  [L.KVMI_VCPU_EVENT_ARCH, 'msrs', 464], [L.KVMI_VCPU_EVENT_ARCH, 'msrs.shadow_gs', 528],
  [L.KVMI_VCPU_EVENT_ARCH, 'sregs.interrupt_bitmap', 152 + 280],
  [L.KVM_SREGS, 'tr', 144], [L.KVM_SREGS, 'ldt', 168], [L.KVM_SREGS, 'gdt', 192], [L.KVM_SREGS, 'idt', 208],
  [L.KVM_SREGS, 'cr0', 224], [L.KVM_SREGS, 'cr8', 256], [L.KVM_SREGS, 'efer', 264], [L.KVM_SREGS, 'apic_base', 272],
  [L.KVM_REGS, 'rip', 128], [L.KVM_REGS, 'rflags', 136],
  [L.KVMI_VCPU_GET_REGISTERS_REPLY, 'regs', 8], [L.KVMI_VCPU_GET_REGISTERS_REPLY, 'sregs', 152],
  [L.KVMI_VCPU_GET_REGISTERS_REPLY, 'msrs', 464],
  [L.KVMI_GET_VERSION_REPLY, 'features.singlestep', 8], [L.KVMI_VCPU_INJECT_EXCEPTION, 'error_code', 4],
  [L.KVMI_VCPU_INJECT_EXCEPTION, 'address', 8], [L.KVMI_VCPU_CONTROL_MSR, 'msr', 4], [L.KVMI_VCPU_EVENT_PF, 'access', 16],
  [L.KVMI_VCPU_EVENT_CR, 'old_value', 8], [L.KVMI_VCPU_EVENT_DESCRIPTOR, 'write', 1],
  [L.QEMU_VMI_TO_INTROSPECTOR, 'padding', 20], [L.QEMU_VMI_TO_INTROSPECTOR, 'start_time', 24],
  [L.QEMU_VMI_TO_INTROSPECTOR, 'name', 32], [L.QEMU_VMI_TO_INTROSPECTOR, 'max_gpa', 96],
  [L.QEMU_VMI_FROM_INTROSPECTOR, 'cookie_hash', 4], [L.KVM_INTROSPECTION_HOOK, 'uuid', 8],
];

test('fields sit at the offsets the reference gives', () => {
  for (const [layout, path, offset] of referenceOffsets) assert.equal(findField(layout, path)?.offset, offset, `${layout.name}.${path}`);
});

test('variable-length tails start where the reference puts them', () => {
  assert.equal(L.KVMI_VCPU_GET_REGISTERS_REPLY.tail?.offset, 472);
  assert.equal(L.KVMI_VM_SET_PAGE_ACCESS.tail?.offset, 8);
  assert.equal(L.KVMI_VM_WRITE_PHYSICAL.tail?.offset, 16);
  assert.equal(L.KVMI_VCPU_GET_REGISTERS.tail?.offset, 8);
});

test('fields tile every struct exactly, so no byte is unaccounted for', () => {
  for (const layout of ALL_LAYOUTS) {
    let next = 0;
    for (const f of layout.fields) {
      assert.equal(f.offset, next, `${layout.name}.${f.name}`);
      assert.equal(f.offset % f.type.align, 0, `${layout.name}.${f.name} alignment`);
      next += f.type.size;
    }
    assert.equal(next, layout.size, layout.name);
  }
});

test('a layout that would need an implicit hole, or misstates its size, is refused at definition', () => {
  assert.throws(() => struct('bad_hole', 16, { a: u8, b: u64 }), KvmiLayoutError);
  assert.throws(() => struct('bad_size', 12, { a: u64, b: u64 }), KvmiLayoutError);
});
