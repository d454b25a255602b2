// KVMI events end to end with the x86 core: the selftest guest performs the actions of the KVMI
// selftest (kvmi-protocol.md section 7) and, with every intercept on, each must reach the VMM core
// as its event, in program order, with the vCPU waiting until the reply; the guest still finishes.
// The guest writes MSR 0x140 back unchanged, and KVMI raises MSR events only for a changed value
// (section 4.3), so that step stays silent; the guest's XSETBV toggles SSE in XCR0, a change, so the
// last step raises its event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestPath, GuestError } from '../../support/guests';
import { symbolPhysicalAddress, x86CoreMissing } from './guestImage';

const CR4_OSXSAVE = 1n << 18n;
const MSR_MISC_FEATURES_ENABLES = 0x140;

function guestsMissing(): string | undefined {
  try { ensureGuestsBuilt(); return undefined; } catch (e) { if (e instanceof GuestError) return e.message; throw e; }
}

/** One line per event, in a form the expected sequence below can match. */
function label(e: VcpuEvent): string {
  switch (e.kind) {
    case 'cr': return `cr${e.cr} osxsave ${(e.oldValue ^ e.newValue) & CR4_OSXSAVE ? 'toggled' : 'kept'}`;
    case 'msr': return `msr 0x${e.msr.toString(16)}`;
    case 'descriptor': return `descriptor ${e.descriptor} ${e.write ? 'load' : 'store'}`;
    case 'pf': return `pf access ${e.access}`;
    default: return e.kind;
  }
}

test('selftest guest: breakpoint, CR4, SGDT/LGDT, hypercall, PF and XSETBV events in order; an unchanged MSR write stays silent', async (t) => {
  const missing = x86CoreMissing() ?? guestsMissing();
  if (missing) { t.skip(missing); return; }
  const path = guestPath('selftest');
  const page = BigInt(symbolPhysicalAddress(path, 'test_page'));
  const serial: number[] = [];
  const machine = await createMachine({ engine: new EmulatorEngine(), guest: readFileSync(path), memoryMiB: 64, cpus: 1, serialOutput: (b) => serial.push(...b) });
  const { vm } = machine;
  const seen: string[] = [];
  vm.onEvent((e) => {
    seen.push(label(e));
    assert.equal(vm.vcpus[0].state, 'waitingForReply');
    if (e.kind === 'pf') {
      assert.equal(e.gpa, page);
      vm.setPageAccess([{ gpa: page, access: 7 }]);
      e.reply('retry');
    } else if (e.kind === 'cr' || e.kind === 'msr') {
      e.reply('continue', { newValue: e.newValue });
    } else {
      e.reply('continue');
    }
  });
  vm.setPageAccess([{ gpa: page, access: 1 }]);
  await vm.vcpus[0].setIntercepts({
    breakpoint: true, hypercall: true, descriptor: true, xsetbv: true, pf: true,
    crWrite: new Set([4]), msrWrite: new Set([MSR_MISC_FEATURES_ENABLES]),
  });
  await machine.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 0 });
  const start = seen.indexOf('breakpoint');
  assert.ok(start >= 0, `no breakpoint event among ${seen.join(', ')}`);
  assert.deepEqual(seen.slice(start), [
    'breakpoint', 'cr4 osxsave toggled', 'descriptor 2 store', 'descriptor 2 load', 'hypercall', 'pf access 2', 'xsetbv',
  ]);
  const out = Buffer.from(serial).toString();
  assert.match(out, /trap: vector 3 \(#BP\)\n/, 'CONTINUE on the breakpoint re-injected #BP into the guest');
  assert.match(out, /test_page\[0\] = a5\n/, 'the retried write landed');
  assert.match(out, /step 4: agent hypercall\nstep 5/, 'CONTINUE on the hypercall returned to the guest without #UD');
  assert.match(out, /selftest: done\n$/);
});
