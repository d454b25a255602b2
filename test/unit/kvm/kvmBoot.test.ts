// Booting the test guests on /dev/kvm through KvmEngine: COM1 output and exit status must equal the
// manifest (the QEMU TCG reference). Covers PVH entry, port I/O to the UART and the exit port,
// ring-3 code run natively, and pausing a vCPU that runs guest code without exits (kick timer);
// then the same guests with hybrid execution (softwareKernel: ring 0 in the software core, ring 3
// in KVM, kernel entries caught at hidden entry frames).
// Skips with the probe's reason where /dev/kvm is absent or unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvmEngine } from '../../../src/vmm/kvm/kvmEngine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { guestDescription, guestToolchainMissing } from '../../support/guests';
import { guestMachine, untilRing3 } from '../../support/guestMachine';
import { runOnKvm } from '../../support/kvmGuestRun';

const probe = probeHost();

function unavailable(): string | undefined {
  if (!probe.usable) return `KVM is not usable here: ${probe.reason}`;
  return guestToolchainMissing();
}

const boot = (name: string, softwareKernel = false) => runOnKvm(name, softwareKernel);

for (const name of ['hello', 'user-mode-ud2', 'bench-user-ud2-small']) {
  test(`${name} prints the manifest output and exits with its code on KVM`, async (t) => {
    const why = unavailable();
    if (why) { t.skip(why); return; }
    const expected = guestDescription(name);
    const { stdout, stop } = await boot(name);
    assert.equal(stdout, expected.expectedStdout);
    assert.deepEqual(stop, { kind: 'exitPort', status: expected.expectedExitCode });
  });
}

test('on a PVM host, INT 0x80 from ring 3 reaches the guest as #UD (why the *-ud2 guests exist)', async (t) => {
  const why = unavailable() ?? (probe.backend !== 'pvm' ? `this host's KVM is ${probe.backend}, not PVM` : undefined);
  if (why) { t.skip(why); return; }
  const { stdout, stop } = await boot('user-mode');
  assert.match(stdout, /^user-mode: entering ring 3\ntrap: vector 6 \(#UD\)\n/);
  assert.deepEqual(stop, { kind: 'exitPort', status: 112 });
});

test('a vCPU running ring-3 code without exits can be paused, inspected and resumed', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  const { machine, output } = await guestMachine(new KvmEngine(), 'bench-user-ud2');
  await machine.start();
  const vcpu = machine.vm.vcpus[0];
  await untilRing3(vcpu);   // the workload then runs in ring 3 for about a second
  await vcpu.pause();
  assert.equal(vcpu.state, 'paused');
  const regs = await vcpu.getRegs();
  assert.equal((await vcpu.getSregs()).cs.dpl, 3);
  assert.equal(await vcpu.mode(), 8);
  assert.equal(await vcpu.translate(regs.rip), regs.rip, 'the guest identity-maps its code');
  await vcpu.unpause();
  const stop = await machine.vm.finished;
  assert.equal(output(), guestDescription('bench-user-ud2').expectedStdout);
  assert.deepEqual(stop, { kind: 'exitPort', status: 0 });
});

for (const name of ['hello', 'user-mode-ud2', 'bench-user-ud2-small']) {
  test(`${name} gives the manifest output with ring 0 in the software core and ring 3 in KVM`, async (t) => {
    const why = unavailable();
    if (why) { t.skip(why); return; }
    const expected = guestDescription(name);
    const { stdout, stop, counters } = await boot(name, true);
    assert.equal(stdout, expected.expectedStdout);
    assert.deepEqual(stop, { kind: 'exitPort', status: expected.expectedExitCode });
    assert.equal(counters.ioExits, 0, 'all port I/O is done by ring-0 code, hence in the software core');
    if (name === 'hello') {
      assert.equal(counters.toKvm, 0, 'hello never enters ring 3');
    } else {
      assert.equal(counters.toKvm, 1, 'one IRETQ to ring 3 hands the vCPU to KVM');
      assert.equal(counters.kernelEntries, 1, 'the UD2 back to ring 0 is caught at the #UD gate\'s hidden frame');
    }
  });
}
