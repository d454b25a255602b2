// Hybrid execution for watched pages: the user-mode-ud2 guest writes its watched user_data_page from
// ring 3, which KVM runs natively. With the page's W access removed, each write must come back as
// the same KVMI PF event as on the software engine -- same gva, gpa, access and registers (the
// state *before* the write) -- and the guest must still finish with the manifest output, since
// CONTINUE lets the software core perform the write. RETRY with the restriction lifted re-executes
// the write without a second event. Skips where /dev/kvm is unusable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, EventAction, PAGE_ACCESS_ALL, PAGE_ACCESS_W } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestToolchainMissing } from '../../support/guests';

const GUEST = 'user-mode-ud2';
const probe = probeHost();

interface Seen { gva: bigint; gpa: bigint; access: number; regs: Record<string, bigint>; cs: number; ss: number; cr3: bigint; mode: number }

/**
 * The registers without RBX: the guest's boot code leaves CPUID 0x80000001's EBX there (pvh_entry.S),
 * and that leaf describes a different CPU model on each engine (AMD package type on KVM here).
 */
function withoutCpuModelRegister(seen: Seen[]): Seen[] {
  return seen.map((s) => {
    const { rbx: _rbx, ...regs } = s.regs;
    return { ...s, regs };
  });
}

function symbolAddress(name: string): bigint {
  const sym = readSymbols(parseElf(readFileSync(guestPath(GUEST)))).find((s) => s.name === name);
  assert.ok(sym, `${GUEST} has no symbol ${name}`);
  return sym.value;
}

/** Runs the guest with W removed from `page`; answers the first `count` PF events, then lifts the watch. */
async function watchedRun(engine: Engine, page: bigint, count: number, answer: EventAction) {
  let stdout = '';
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath(GUEST)), memoryMiB: 32, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); },
  });
  const seen: Seen[] = [];
  const msrs: unknown[] = [];
  machine.vm.onEvent((e: VcpuEvent) => {
    if (e.kind === 'pf') {
      msrs.push(e.arch.msrs);
      seen.push({ gva: e.gva, gpa: e.gpa, access: e.access, regs: { ...e.arch.regs }, cs: e.arch.sregs.cs.selector, ss: e.arch.sregs.ss.selector, cr3: e.arch.sregs.cr3, mode: e.arch.mode });
      if (seen.length >= count || answer === 'retry') machine.vm.setPageAccess([{ gpa: page, access: PAGE_ACCESS_ALL }]);
      e.reply(answer);
    } else {
      e.reply('continue');
    }
  });
  await machine.vm.vcpus[0].setIntercepts({ pf: true });
  machine.vm.setPageAccess([{ gpa: page, access: PAGE_ACCESS_ALL & ~PAGE_ACCESS_W }]);
  await machine.start();
  const stop = await machine.vm.finished;
  return { stdout, stop, seen, msrs, vm: machine.vm };
}

function unavailable(): string | undefined {
  if (!probe.usable) return `KVM is not usable here: ${probe.reason}`;
  return guestToolchainMissing();
}

test('a watched write from ring 3 gives the same PF event on KVM as on the software engine', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  ensureGuestsBuilt();
  const page = symbolAddress('user_data_page');
  const kvm = await watchedRun(new KvmEngine(), page, 3, 'continue');
  const emulator = await watchedRun(new EmulatorEngine(), page, 3, 'continue');
  const expected = guestDescription(GUEST);
  for (const run of [kvm, emulator]) {
    assert.equal(run.stdout, expected.expectedStdout);
    assert.deepEqual(run.stop, { kind: 'exitPort', status: 0 });
  }
  assert.equal(kvm.seen.length, 3);
  assert.deepEqual(withoutCpuModelRegister(kvm.seen), withoutCpuModelRegister(emulator.seen));
  assert.deepEqual(kvm.seen.map((s) => [s.gva, s.access, s.cs & 3]), [[page, PAGE_ACCESS_W, 3], [page + 64n, PAGE_ACCESS_W, 3], [page + 128n, PAGE_ACCESS_W, 3]]);
  const counters = (kvm.vm as KvmVm).kvmCounters();
  assert.equal(counters.softwareSteps, 3, 'each watched write ran as one instruction in the software core');
  assert.equal(counters.generalSteps, 3, 'each watched store (a general instruction) moved only the general registers');
  assert.equal(counters.lateAccesses, 0);
});

test('with ring 0 in the software core, the watched ring-3 writes give the same events', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  ensureGuestsBuilt();
  const page = symbolAddress('user_data_page');
  const hybrid = await watchedRun(new KvmEngine({ softwareKernel: true }), page, 3, 'continue');
  const emulator = await watchedRun(new EmulatorEngine(), page, 3, 'continue');
  const plainKvm = await watchedRun(new KvmEngine(), page, 3, 'continue');
  assert.deepEqual(hybrid.msrs, plainKvm.msrs, 'the event MSRs (kept between events in hybrid mode) are those KVM holds');
  assert.equal(hybrid.stdout, guestDescription(GUEST).expectedStdout);
  assert.equal(hybrid.seen.length, 3);
  assert.deepEqual(withoutCpuModelRegister(hybrid.seen), withoutCpuModelRegister(emulator.seen));
  const counters = (hybrid.vm as KvmVm).kvmCounters();
  assert.ok(counters.toKvm >= 1, 'ring 3 ran in KVM');
  assert.equal(counters.lateAccesses, 0);
  if (probe.backend === 'pvm') {
    assert.ok(counters.emulatedInstructions <= counters.kernelEntries,
      'KVM\'s emulator ran no guest code: at most the failed fetch of each caught kernel entry');
  }
});

test('on PVM, plain KVM runs the guest\'s ring-0 code in its emulator, and the count shows it', async (t) => {
  const why = unavailable() ?? (probe.backend === 'pvm' ? undefined : `the host is ${probe.backend}, not PVM: KVM runs ring 0 natively`);
  if (why) { t.skip(why); return; }
  ensureGuestsBuilt();
  const run = await watchedRun(new KvmEngine(), symbolAddress('user_data_page'), 1, 'continue');
  assert.equal(run.stdout, guestDescription(GUEST).expectedStdout);
  assert.ok((run.vm as KvmVm).kvmCounters().emulatedInstructions > 1000, 'the boot code ran in KVM\'s emulator');
});

test('RETRY after lifting the watch re-executes the write without a second event', async (t) => {
  const why = unavailable();
  if (why) { t.skip(why); return; }
  ensureGuestsBuilt();
  const page = symbolAddress('user_data_page');
  const run = await watchedRun(new KvmEngine(), page, 1, 'retry');
  assert.equal(run.seen.length, 1);
  assert.equal(run.stdout, guestDescription(GUEST).expectedStdout, 'the checksum shows every write landed');
  assert.equal((run.vm as KvmVm).kvmCounters().softwareSteps, 1, 'the retried write ran once, in the software core');
  assert.deepEqual(run.stop, { kind: 'exitPort', status: 0 });
});
