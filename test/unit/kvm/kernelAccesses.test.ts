// Watched writes made by guest ring-0 code (the pf-write guest stores 16 bytes into test_page at
// CPL 0). On a PVM host, plain KVM runs ring 0 in its own instruction emulator, which reports a
// write to a protected frame only after the instruction: no exact KVMI event can be made, so the
// engine completes the write and counts it as a late access (the documented deviation). With
// hybrid execution (softwareKernel) the software core runs ring 0 and delivers exactly the events
// of the software engine. Skips where /dev/kvm is unusable; the late-access case needs PVM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, PAGE_ACCESS_ALL, PAGE_ACCESS_W } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestToolchainMissing } from '../../support/guests';

const GUEST = 'pf-write';
const probe = probeHost();

async function watchedRun(engine: Engine) {
  ensureGuestsBuilt();
  const image = readFileSync(guestPath(GUEST));
  const page = readSymbols(parseElf(image)).find((s) => s.name === 'test_page')?.value;
  assert.ok(page !== undefined, 'pf-write has test_page');
  let stdout = '';
  const machine = await createMachine({ engine, guest: image, memoryMiB: 32, cpus: 1, serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); } });
  const events: { gva: bigint; access: number; rip: bigint; cpl: number }[] = [];
  machine.vm.onEvent((e) => {
    if (e.kind === 'pf') events.push({ gva: e.gva, access: e.access, rip: e.arch.regs.rip, cpl: e.arch.sregs.cs.dpl });
    e.reply('continue');
  });
  await machine.vm.vcpus[0].setIntercepts({ pf: true });
  machine.vm.setPageAccess([{ gpa: page, access: PAGE_ACCESS_ALL & ~PAGE_ACCESS_W }]);
  await machine.start();
  const stop = await machine.vm.finished;
  return { stdout, stop, events, vm: machine.vm, page };
}

function unavailable(): string | undefined {
  if (!probe.usable) return `KVM is not usable here: ${probe.reason}`;
  return guestToolchainMissing();
}

test('with ring 0 in the software core, kernel writes to a watched page give the software engine\'s events', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  const hybrid = await watchedRun(new KvmEngine({ softwareKernel: true }));
  const emulator = await watchedRun(new EmulatorEngine());
  assert.equal(hybrid.stdout, guestDescription(GUEST).expectedStdout);
  assert.equal(hybrid.events.length, 16);
  assert.deepEqual(hybrid.events, emulator.events);
  assert.deepEqual(hybrid.events.map((e) => e.gva), Array.from({ length: 16 }, (_, i) => hybrid.page + BigInt(i)));
  assert.equal((hybrid.vm as KvmVm).kvmCounters().lateAccesses, 0);
});

test('on PVM, plain KVM completes kernel writes to a watched page late, without events, and counts them', async (t) => {
  const why = unavailable() ?? (probe.backend !== 'pvm' ? `this host's KVM is ${probe.backend}, not PVM: ring 0 runs natively there` : undefined);
  if (why) { t.skip(why); return; }
  const plain = await watchedRun(new KvmEngine());
  assert.equal(plain.stdout, guestDescription(GUEST).expectedStdout, 'every write still lands');
  assert.equal(plain.events.length, 0);
  assert.ok((plain.vm as KvmVm).kvmCounters().lateAccesses >= 16, 'the 16 stores (and the read-backs) went through the late path');
});
