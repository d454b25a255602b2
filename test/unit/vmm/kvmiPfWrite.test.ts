// KVMI at the engine interface with the real x86 core: the pf-write guest's test_page is
// restricted to read-only with PF events on; the event must arrive before the write (memory
// untouched, gpa = test_page), and after lifting the restriction a RETRY lets the write land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestDescription, guestPath, GuestError } from '../../support/guests';
import { symbolPhysicalAddress, x86CoreMissing } from './guestImage';

function guestsMissing(): string | undefined {
  try { ensureGuestsBuilt(); return undefined; } catch (e) { if (e instanceof GuestError) return e.message; throw e; }
}

test('PF on a read-only test_page: event before the write, RETRY after lifting lands it', async (t) => {
  const missing = x86CoreMissing() ?? guestsMissing();
  if (missing) { t.skip(missing); return; }
  const path = guestPath('pf-write');
  const page = symbolPhysicalAddress(path, 'test_page');
  const serial: number[] = [];
  const machine = await createMachine({
    engine: new EmulatorEngine(), guest: readFileSync(path), memoryMiB: 64, cpus: 1, serialOutput: (b) => serial.push(...b),
  });
  const { vm } = machine;
  vm.setPageAccess([{ gpa: BigInt(page), access: 1 }]);
  await vm.vcpus[0].setIntercepts({ pf: true });
  const events: VcpuEvent[] = [];
  const firstEvent = new Promise<VcpuEvent>((resolve) => vm.onEvent((e) => { events.push(e); resolve(e); }));
  await machine.start();
  const e = await firstEvent;
  assert.equal(e.kind, 'pf');
  if (e.kind !== 'pf') return;
  assert.equal(e.access, 2, 'a write');
  assert.equal(e.gpa, BigInt(page), 'at the first byte of test_page');
  assert.equal(vm.vcpus[0].state, 'waitingForReply');
  assert.equal(vm.ram[page], 0, 'the write has not happened yet');
  assert.equal(await vm.vcpus[0].translate(e.gva), e.gpa, 'translate agrees with the event');
  assert.equal((await vm.vcpus[0].getRegs()).rip, e.arch.regs.rip, 'registers are served while the vCPU waits');
  vm.setPageAccess([{ gpa: BigInt(page), access: 7 }]);
  e.reply('retry');
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 0 });
  assert.equal(events.length, 1, 'no further events once the page is unrestricted');
  assert.deepEqual([...vm.ram.subarray(page, page + 16)], Array.from({ length: 16 }, (_, i) => 0x5a + i));
  assert.equal(Buffer.from(serial).toString(), guestDescription('pf-write').expectedStdout);
});
