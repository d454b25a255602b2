// CPUID of a KVM vCPU as the VMM core reads it (Vcpu.cpuid, behind KVMI_VCPU_GET_CPUID): the same
// leaves the guest's CPUID instruction returns, the vCPU index as leaf 1's initial APIC ID, and
// undefined for a leaf KVM's table does not hold. Skips where /dev/kvm is not usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';

const probe = probeHost();

/** Real mode at 0x7c00: xor eax,eax; cpuid; mov [0x7e00],ebx; mov [0x7e04],edx; mov [0x7e08],ecx; out 0xf4,al. */
const VENDOR_PROGRAM = new Uint8Array([
  0x66, 0x31, 0xc0, 0x0f, 0xa2,
  0x66, 0x89, 0x1e, 0x00, 0x7e, 0x66, 0x89, 0x16, 0x04, 0x7e, 0x66, 0x89, 0x0e, 0x08, 0x7e,
  0xe6, 0xf4,
]);

test('KVM vCPU cpuid(): leaf 0 matches what the guest reads, leaf 1 carries the vCPU index, absent leaves are undefined', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const machine = await createMachine({ engine: new KvmEngine(), guest: VENDOR_PROGRAM, format: 'raw', memoryMiB: 1, cpus: 2 });
  try {
    const leaf0 = await machine.vm.vcpus[0].cpuid(0, 0);
    assert.ok(leaf0 && leaf0.eax >= 1, 'leaf 0 reports at least leaf 1');
    const fromHost = Buffer.alloc(12);
    fromHost.writeUInt32LE(leaf0.ebx, 0);
    fromHost.writeUInt32LE(leaf0.edx, 4);
    fromHost.writeUInt32LE(leaf0.ecx, 8);
    const leaf1Vcpu1 = await machine.vm.vcpus[1].cpuid(1, 0);
    const leaf1Vcpu0 = await machine.vm.vcpus[0].cpuid(1, 0);
    assert.ok(leaf1Vcpu1 && leaf1Vcpu0, 'leaf 1 is present');
    assert.equal(leaf1Vcpu1.ebx >>> 24, 1, 'initial APIC ID of vCPU 1');
    assert.equal(leaf1Vcpu0.ebx >>> 24, 0);
    assert.equal(await machine.vm.vcpus[0].cpuid(0x4fff_ffff, 0), undefined);
    await machine.start({ paused: false });
    const reason = await machine.vm.finished;
    assert.equal(reason.kind, 'exitPort');
    assert.equal(Buffer.from(machine.vm.ram.subarray(0x7e00, 0x7e0c)).toString('latin1'), fromHost.toString('latin1'));
  } finally { await machine.vm.stop(); }
});
