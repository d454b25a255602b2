// Ring-3 placement in the hybrid engine (src/vmm/kvm/ring3Placement.ts) on real guests:
// user-syscalls enters its kernel 2000 times from ring 3 with almost nothing in between, so its
// ring 3 moves to the software core (and the output is still the manifest's); bench-user-small
// computes in ring 3 and enters the kernel once, so it stays in KVM. Skips with the probe's
// reason where /dev/kvm is absent or unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { guestDescription, guestToolchainMissing } from '../../support/guests';
import { runOnKvm } from '../../support/kvmGuestRun';

const probe = probeHost();

const bootHybrid = (name: string) => runOnKvm(name, true);

const skipReason = () => (!probe.usable ? `KVM is not usable here: ${probe.reason}` : guestToolchainMissing());

test('user-syscalls: ring 3 that enters the kernel every few microseconds moves to the software core', async (t) => {
  const why = skipReason();
  if (why) { t.skip(why); return; }
  const { stdout, stop, counters } = await bootHybrid('user-syscalls');
  assert.equal(stdout, guestDescription('user-syscalls').expectedStdout);
  assert.deepEqual(stop, { kind: 'exitPort', status: 0 });
  assert.ok(counters.ring3Moves >= 1, `ring 3 never moved to the software core: ${JSON.stringify(counters)}`);
  assert.ok(counters.kernelEntries < 1000, `${counters.kernelEntries} of the 2000 kernel entries still came from KVM`);
});

test('bench-user-small: compute-bound ring 3 stays in KVM', async (t) => {
  const why = skipReason();
  if (why) { t.skip(why); return; }
  const { stdout, counters } = await bootHybrid('bench-user-small');
  assert.equal(stdout, guestDescription('bench-user-small').expectedStdout);
  assert.equal(counters.ring3Moves, 0);
  assert.equal(counters.toKvm, 1);
});
