// KVMI events that only privileged instructions raise (CR write, MSR write, XSETBV) on the KVM
// engine with the software kernel: the selftest guest (CR4 writes at boot and in step 2, WRMSR in
// step 5, XSETBV in step 7) must raise exactly the events the software engine raises, and print
// what it prints there. Without the software kernel these intercepts are refused (KVM's emulator
// would run the instructions unseen).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestPath, guestToolchainMissing } from '../../support/guests';

const probe = probeHost();
const CR4 = 4;
const MSR_MISC_FEATURES_ENABLES = 0x140;

async function selftestEvents(engine: Engine) {
  ensureGuestsBuilt();
  let stdout = '';
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath('selftest')), memoryMiB: 32, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); },
  });
  const events: string[] = [];
  machine.vm.onEvent((e) => {
    if (e.kind === 'cr' || e.kind === 'msr' || e.kind === 'xsetbv') {
      const which = e.kind === 'cr' ? e.cr : e.kind === 'msr' ? e.msr : e.xcr;
      events.push(`${e.kind} ${which} 0x${e.oldValue.toString(16)} -> 0x${e.newValue.toString(16)} at 0x${e.arch.regs.rip.toString(16)}`);
      e.reply('continue', { newValue: e.newValue });
    } else {
      e.reply('continue');
    }
  });
  await machine.vm.vcpus[0].setIntercepts({ crWrite: new Set([CR4]), msrWrite: new Set([MSR_MISC_FEATURES_ENABLES]), xsetbv: true });
  await machine.start();
  const stop = await machine.vm.finished;
  return { stdout, stop, events };
}

test('CR, MSR and XSETBV events with the software kernel equal those of the software engine', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const toolchain = guestToolchainMissing();
  if (toolchain) { t.skip(toolchain); return; }
  const hybrid = await selftestEvents(new KvmEngine({ softwareKernel: true }));
  const emulator = await selftestEvents(new EmulatorEngine());
  assert.equal(hybrid.stdout, emulator.stdout);
  assert.match(hybrid.stdout, /^selftest: start\n[^]*selftest: done\n$/);
  assert.deepEqual(hybrid.stop, { kind: 'exitPort', status: 0 });
  assert.ok(hybrid.events.some((e) => e.startsWith('cr 4 ')), 'step 2 writes CR4');
  assert.deepEqual(hybrid.events, emulator.events);
});

test('without the software kernel, privileged-instruction intercepts are refused', async (t) => {
  if (!probe.usable) { t.skip(`KVM is not usable here: ${probe.reason}`); return; }
  const vm = await new KvmEngine().createVm({ memoryBytes: 1 << 20, vcpus: 1 });
  try {
    await assert.rejects(vm.vcpus[0].setIntercepts({ crWrite: new Set([CR4]) }), /cannot deliver KVMI CR-write events without softwareKernel/);
    await assert.rejects(vm.vcpus[0].setIntercepts({ xsetbv: true }), /cannot deliver KVMI xsetbv events/);
  } finally {
    await vm.stop();
  }
});
