// More separately restricted frames than KVM's view of guest RAM can carry: every restricted run of
// frames is a host memory mapping of its own, and the protection may use vm.max_map_count less a
// headroom for the rest of the process. The vCPU must then run in the software core
// (src/vmm/kvm/pageProtection.ts overLimit) without the process running out of mappings, and the guest must
// behave as with fewer restrictions: user-mode-ud2 with its user_data_page write-watched and every
// other frame of 384 MiB it never touches restricted gives the same output and the same PF events
// as on the software engine, and says why it runs slower. Skips where /dev/kvm is unusable, or where
// the host's limit is too high for 512 MiB of guest RAM to reach it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, PAGE_ACCESS_ALL, PAGE_ACCESS_R, PAGE_ACCESS_W, PAGE_ACCESS_X, PageAccessEntry } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine, KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { hostMappingLimit, MAPPING_HEADROOM } from '../../../src/vmm/kvm/pageProtection';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, guestToolchainMissing } from '../../support/guests';

const GUEST = 'user-mode-ud2';
const MEMORY_MIB = 512;
const SCATTERED_FROM = 64 << 20;       // above the guest's image, stacks and page tables
const SCATTERED_TO = 448 << 20;
const probe = probeHost();

function skipReason(): string | undefined {
  if (!probe.usable) return `KVM is not usable here: ${probe.reason}`;
  const limit = hostMappingLimit();
  const mappingsNeeded = 2 * ((SCATTERED_TO - SCATTERED_FROM) / (2 * 4096));   // each restricted frame splits a mapping twice
  if (limit - MAPPING_HEADROOM > mappingsNeeded - 1000) return `vm.max_map_count is ${limit}: ${MEMORY_MIB} MiB of guest RAM cannot exceed it`;
  return guestToolchainMissing();
}

async function run(engine: Engine) {
  let stdout = '';
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath(GUEST)), memoryMiB: MEMORY_MIB, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); },
  });
  const page = readSymbols(parseElf(readFileSync(guestPath(GUEST)))).find((s) => s.name === 'user_data_page')!.value;
  const events: [bigint, number, bigint][] = [];
  machine.vm.onEvent((e) => {
    if (e.kind === 'pf') events.push([e.gva, e.access, e.arch.regs.rip]);
    e.reply('continue');
  });
  const scattered: PageAccessEntry[] = [];
  for (let at = SCATTERED_FROM; at < SCATTERED_TO; at += 2 * 4096) scattered.push({ gpa: BigInt(at), access: PAGE_ACCESS_R | PAGE_ACCESS_X });
  await machine.vm.vcpus[0].setIntercepts({ pf: true });
  machine.vm.setPageAccess([{ gpa: page, access: PAGE_ACCESS_ALL & ~PAGE_ACCESS_W }, ...scattered]);
  await machine.start();
  const stop = await machine.vm.finished;
  return { stdout, stop, events, vm: machine.vm };
}

test('past the host\'s limit of mappings the vCPU runs in the software core, with the same events', async (t) => {
  const why = skipReason();
  if (why) { t.skip(why); return; }
  ensureGuestsBuilt();
  const kvm = await run(new KvmEngine({ softwareKernel: probe.backend === 'pvm' }));
  const emulator = await run(new EmulatorEngine());
  assert.equal(kvm.stdout, guestDescription(GUEST).expectedStdout);
  assert.deepEqual(kvm.stop, { kind: 'exitPort', status: 0 });
  assert.ok(emulator.events.length > 0);
  assert.deepEqual(kvm.events, emulator.events);
  assert.ok((kvm.vm as KvmVm).kvmCounters().overMappingLimit >= 1, 'the vCPU moved to the software core because of the limit');
});
