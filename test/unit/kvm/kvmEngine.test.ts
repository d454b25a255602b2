// The Vm/Vcpu interface on the KVM engine: register, segment, MSR and XSAVE state set and read back
// through KVM_SET/GET_*, guest memory shared both ways between the VMM's mapping and the running
// guest, exception injection into ring-3 code run by KVM, and clear typed refusals for what this
// engine does not offer (KVMI intercepts other than PF) and for bad input. Skips where /dev/kvm is
// absent or unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../../src/vmm/engine/engine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { MSR } from '../../../src/vmm/x86/kvmState';
import { guestToolchainMissing } from '../../support/guests';
import { guestMachine, untilRing3 } from '../../support/guestMachine';

const probe = probeHost();
const MiB = 1 << 20;

/** Real mode at 0x7c00: mov al,[0x7e00]; add al,1; mov [0x7e01],al; out 0xf4,al. */
const INCREMENT_PROGRAM = new Uint8Array([0xa0, 0x00, 0x7e, 0x04, 0x01, 0xa2, 0x01, 0x7e, 0xe6, 0xf4]);

test('registers, segments, MSRs and XSAVE set on a vCPU read back the same', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const vm = await new KvmEngine().createVm({ memoryBytes: 4 * MiB, vcpus: 1 });
  try {
    const vcpu = vm.vcpus[0];
    assert.equal(vcpu.state, 'created');
    const regs = await vcpu.getRegs();
    assert.equal(regs.rip, 0xfff0n, 'x86 reset vector (SDM Vol. 3A 9.1.4)');
    const changed = { ...regs, rax: 0x1122334455667788n, r15: 0xfedcba9876543210n, rip: 0x7c00n };
    await vcpu.setRegs(changed);
    assert.deepEqual(await vcpu.getRegs(), changed);

    const sregs = await vcpu.getSregs();
    await vcpu.setSregs({ ...sregs, gdt: { base: 0x500n, limit: 0x37 }, cs: { ...sregs.cs, selector: 0, base: 0n } });
    const back = await vcpu.getSregs();
    assert.deepEqual(back.gdt, { base: 0x500n, limit: 0x37 });
    assert.equal(back.cs.base, 0n);
    assert.equal(await vcpu.mode(), 2);

    assert.equal(await vcpu.setMsr(MSR.LSTAR, 0xffffffff81000000n), true);
    assert.equal(await vcpu.getMsr(MSR.LSTAR), 0xffffffff81000000n);
    assert.equal((await vcpu.getEventMsrs()).lstar, 0xffffffff81000000n);
    assert.equal(await vcpu.setMsr(0x12345678, 1n), false, 'an MSR KVM does not know is refused');
    assert.equal(await vcpu.getMsr(0x12345678), undefined);

    const xsave = await vcpu.getXsave();
    assert.equal(xsave.length, 4096);
    const view = new DataView(xsave.buffer, xsave.byteOffset);
    view.setUint16(0, 0x027f, true);   // FCW (FXSAVE layout, SDM Vol. 1 Table 10-2): a non-default value
    // XSTATE_BV bit 0 in the XSAVE header (SDM Vol. 1 13.4.2): x87 state is present, not in its init state.
    view.setBigUint64(512, view.getBigUint64(512, true) | 1n, true);
    await vcpu.setXsave(xsave);
    assert.equal(new DataView((await vcpu.getXsave()).buffer).getUint16(0, true), 0x027f);
    assert.equal((await vcpu.getXcr0()) & 1n, 1n, 'XCR0 bit 0 (x87) is always set');
  } finally {
    await vm.stop();
  }
});

test('the VM reports the TSC frequency KVM gives its vCPUs (KVMI VCPU_GET_INFO tsc_speed)', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const vm = await new KvmEngine().createVm({ memoryBytes: 4 * MiB, vcpus: 1 }) as KvmVm;
  try {
    assert.ok(vm.tscHz !== undefined, 'KVM_GET_TSC_KHZ answered');
    assert.ok(vm.tscHz >= 100_000_000n && vm.tscHz <= 20_000_000_000n, `a plausible TSC frequency: ${vm.tscHz} Hz`);
    assert.equal(vm.tscHz % 1000n, 0n, 'KVM reports kHz');
  } finally {
    await vm.stop();
  }
});

test('the guest sees writeGuest() data and the VMM sees what the guest wrote', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const machine = await createMachine({ engine: new KvmEngine(), guest: INCREMENT_PROGRAM, format: 'raw', memoryMiB: 2, cpus: 1 });
  machine.vm.writeGuest(0x7e00, new Uint8Array([41]));
  await machine.start();
  assert.deepEqual(await machine.vm.finished, { kind: 'exitPort', status: 42 });
  assert.deepEqual([...machine.vm.readGuest(0x7e00, 2)], [41, 42]);
  assert.equal(machine.vm.ram[0x7e01], 42);
});

test('unsupported requests and bad input are refused with typed errors', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  await assert.rejects(new KvmEngine().createVm({ memoryBytes: MiB + 1, vcpus: 1 }), (e) => e instanceof EngineError && e.kind === 'badConfig');
  await assert.rejects(new KvmEngine({ devicePath: '/nonexistent/kvm' }).createVm({ memoryBytes: MiB, vcpus: 1 }),
    (e) => e instanceof EngineError && e.kind === 'notAvailable' && /\/nonexistent\/kvm/.test(e.message));
  const vm = await new KvmEngine().createVm({ memoryBytes: 2 * MiB, vcpus: 2 });
  try {
    assert.equal(vm.vcpus.length, 2);
    assert.throws(() => vm.readGuest(2 * MiB - 1, 2), (e) => e instanceof EngineError && e.kind === 'badAddress');
    assert.throws(() => vm.writeGuest(-1, new Uint8Array(1)), (e) => e instanceof EngineError && e.kind === 'badAddress');
    assert.throws(() => vm.setPageAccess([{ gpa: 0x1000n, access: 8 }]), (e) => e instanceof EngineError && e.kind === 'badConfig');
    vm.setPageAccess([{ gpa: 0x1000n, access: 5 }]);
    assert.equal(vm.getPageAccess(0x1000n), 5);
    await vm.vcpus[1].setIntercepts({ pf: true });
    await assert.rejects(vm.vcpus[1].setIntercepts({ breakpoint: true }), /cannot deliver KVMI breakpoint events/);
  } finally {
    await vm.stop();
  }
});

test('an exception injected while ring-3 code runs in KVM reaches the guest\'s handler', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const toolchain = guestToolchainMissing();
  if (toolchain) { t.skip(toolchain); return; }
  const { machine, output } = await guestMachine(new KvmEngine(), 'bench-user-ud2');
  await machine.start();
  const vcpu = machine.vm.vcpus[0];
  await untilRing3(vcpu);   // the ring-3 workload is about a second long
  await vcpu.pause();
  const rip = (await vcpu.getRegs()).rip;
  await vcpu.injectException(13, 0);   // #GP(0)
  await vcpu.unpause();
  // The guest's trap handler reports the vector and, with no resume point, exits 112 (runtime/traps.c).
  assert.deepEqual(await machine.vm.finished, { kind: 'exitPort', status: 112 });
  assert.equal(output(), `trap: vector 13 (#GP)\ntrap: no resume point for the fault at rip 0x${rip.toString(16)}, error code 0x0; stopping\n`);
});
