// Watched accesses made by guest ring-0 code. pf-write stores 16 bytes into test_page at CPL 0: on
// a PVM host, plain KVM runs ring 0 in its own instruction emulator, which reports a write to a
// protected frame only after the instruction, so no exact KVMI event can be made; the engine
// completes the write and counts it as a late access (the documented deviation). With hybrid
// execution (softwareKernel) the software core runs ring 0 and delivers exactly the events of the
// software engine. pf-exec calls code on a watched page: KVM's emulator cannot fetch it and stops
// before the instruction, so even plain KVM gives the exact execute events. Skips where /dev/kvm
// is unusable; the late-access case needs PVM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, PAGE_ACCESS_ALL, PAGE_ACCESS_W, PAGE_ACCESS_X } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestToolchainMissing } from '../../support/guests';

const GUEST = 'pf-write';
const probe = probeHost();

async function watchedRun(engine: Engine, guest = GUEST, access = PAGE_ACCESS_ALL & ~PAGE_ACCESS_W) {
  ensureGuestsBuilt();
  const image = readFileSync(guestPath(guest));
  const page = readSymbols(parseElf(image)).find((s) => s.name === 'test_page')?.value;
  assert.ok(page !== undefined, `${guest} has test_page`);
  let stdout = '';
  const machine = await createMachine({ engine, guest: image, memoryMiB: 32, cpus: 1, serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); } });
  const events: { gva: bigint; access: number; rip: bigint; cpl: number }[] = [];
  machine.vm.onEvent((e) => {
    if (e.kind === 'pf') events.push({ gva: e.gva, access: e.access, rip: e.arch.regs.rip, cpl: e.arch.sregs.cs.dpl });
    e.reply('continue');
  });
  await machine.vm.vcpus[0].setIntercepts({ pf: true });
  machine.vm.setPageAccess([{ gpa: page, access }]);
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

test('an execute watch on code that KVM emulates gives the software engine\'s events, before each instruction', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  const noExecute = PAGE_ACCESS_ALL & ~PAGE_ACCESS_X;
  const kvm = await watchedRun(new KvmEngine(), 'pf-exec', noExecute);
  const emulator = await watchedRun(new EmulatorEngine(), 'pf-exec', noExecute);
  assert.equal(kvm.stdout, guestDescription('pf-exec').expectedStdout);
  assert.ok(kvm.events.length > 0);
  assert.deepEqual(kvm.events, emulator.events);
  assert.deepEqual(kvm.events[0], { gva: kvm.page, access: PAGE_ACCESS_X, rip: kvm.page, cpl: 0 });
});
