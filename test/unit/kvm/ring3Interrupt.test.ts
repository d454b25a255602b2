// INT n from guest ring 3 with hybrid execution (softwareKernel). PVM delivers a ring-3 `INT 0x80` as
// #UD; the #UD entry is caught at its hidden frame and the software core re-executes the INT from
// the ring-3 state the frame records (src/vmm/kvm/ring3SoftwareInterrupt.ts), so guests that leave
// ring 3 with INT 0x80 run on KVM too; a real #UD (UD2) still reaches the guest's #UD handler.
// Skips with the probe's reason where /dev/kvm is absent or unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { guestDescription, guestToolchainMissing } from '../../support/guests';
import { runOnKvm } from '../../support/kvmGuestRun';

const probe = probeHost();

const bootHybrid = (name: string) => runOnKvm(name, true);

for (const name of ['user-mode', 'bench-user-small', 'user-mode-ud2']) {
  test(`${name} (ring 3 left with ${name.endsWith('ud2') ? 'UD2' : 'INT 0x80'}) gives the manifest output with the software kernel`, async (t) => {
    const why = !probe.usable ? `KVM is not usable here: ${probe.reason}` : guestToolchainMissing();
    if (why) { t.skip(why); return; }
    const expected = guestDescription(name);
    const { stdout, stop, counters } = await bootHybrid(name);
    assert.equal(stdout, expected.expectedStdout);
    assert.deepEqual(stop, { kind: 'exitPort', status: expected.expectedExitCode });
    assert.equal(counters.toKvm, 1, 'one IRETQ to ring 3 hands the vCPU to KVM');
    if (name.endsWith('ud2')) {
      assert.equal(counters.ring3Interrupts, 0, 'UD2 is a real #UD: nothing is re-executed');
    } else if (probe.backend === 'pvm') {
      assert.equal(counters.ring3Interrupts, 1, 'the #UD PVM made of INT 0x80 is re-executed as INT 0x80');
    }
  });
}
