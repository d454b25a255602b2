// KVMI through the socket against the real test guests, on each engine that can run them here (the
// software engine; KVM with guest kernel code in the software core, skipped with the reason where
// /dev/kvm is unusable): the seed PF scenario on pf-write (test_page restricted to R, the guest's
// store raises PF with the page's gva/gpa, the tool grants R|W and replies RETRY, the stores land),
// and the selftest guest's actions seen as KVMI events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_PAGE_ACCESS } from '../../../src/vmm/kvmi';
import type { KvmiVcpuEvent } from '../../../src/dap/kvmi/kvmiEvent';
import { guestDescription } from '../../support/guests';
import { guestRig, guestSymbol, guestsUnavailable } from './support/guestRig';
import { CANDIDATES, REFERENCE } from '../conformance/engineVariants';

const E = EVENTS;

const ENGINES = [REFERENCE, ...CANDIDATES.filter((v) => v.name === 'kvm+softwareKernel')];

for (const variant of ENGINES) {
  test(`pf-write on ${variant.name}: the seed PF scenario on a real guest`, async (t) => {
    const why = guestsUnavailable() ?? variant.unavailable();
    if (why) { t.skip(why); return; }
    const testPage = guestSymbol('pf-write', 'test_page');
    const r = await guestRig('pf-write', {}, variant.create());
    try {
      await r.conn.setPageAccess([{ gpa: testPage, access: KVMI_PAGE_ACCESS.R }]);
      await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_PF.id, true);
      await r.host.startGuest(r.machine);
      const event = await r.conn.nextEvent(20_000);
      assert.equal(event?.name, 'KVMI_VCPU_EVENT_PF');
      const pf = event as Extract<KvmiVcpuEvent, { name: 'KVMI_VCPU_EVENT_PF' }>;
      assert.deepEqual([pf.payload.gpa, pf.payload.gva, pf.payload.access], [testPage, testPage, KVMI_PAGE_ACCESS.W]);
      await r.conn.setPageAccess([{ gpa: testPage, access: KVMI_PAGE_ACCESS.R | KVMI_PAGE_ACCESS.W }]);
      pf.reply('retry');
      assert.deepEqual(await r.machine.vm.finished, { kind: 'exitPort', status: 0 });
      assert.equal(r.serial(), guestDescription('pf-write').expectedStdout);
    } finally { await r.dispose(); }
  });

  test(`selftest guest on ${variant.name}: its INT3, CR4, SGDT/LGDT, hypercall, WRMSR, test_page store and XSETBV arrive as events`, async (t) => {
    const why = guestsUnavailable() ?? variant.unavailable();
    if (why) { t.skip(why); return; }
    const testPage = guestSymbol('selftest', 'test_page');
    const r = await guestRig('selftest', {}, variant.create());
    try {
      for (const e of [E.KVMI_VCPU_EVENT_BREAKPOINT, E.KVMI_VCPU_EVENT_CR, E.KVMI_VCPU_EVENT_DESCRIPTOR, E.KVMI_VCPU_EVENT_HYPERCALL,
        E.KVMI_VCPU_EVENT_MSR, E.KVMI_VCPU_EVENT_PF, E.KVMI_VCPU_EVENT_XSETBV]) await r.conn.controlEvents(0, e.id, true);
      await r.conn.controlCr(0, 4, true);
      await r.conn.controlMsr(0, 0x140, true);
      // tsc_speed: the emulator's fixed 1 GHz, or the frequency KVM_GET_TSC_KHZ gives the KVM vCPU.
      const tsc = await r.conn.getVcpuInfo(0);
      if (variant.name === REFERENCE.name) assert.equal(tsc, 1_000_000_000n);
      else assert.ok(tsc >= 100_000_000n && tsc % 1000n === 0n, `KVM's TSC frequency, got ${tsc}`);
      await r.conn.setPageAccess([{ gpa: testPage, access: KVMI_PAGE_ACCESS.R }]);
      await r.host.startGuest(r.machine);
      const seen: string[] = [];
      for await (const event of r.conn) {
        if (event.scope === 'vm') continue;
        seen.push(event.name);
        if (event.name === 'KVMI_VCPU_EVENT_PF') {
          await r.conn.setPageAccess([{ gpa: testPage, access: 7 }]);
          event.reply('retry');
        } else {
          event.reply('continue');
        }
      }
      const reason = await r.machine.vm.finished;
      t.diagnostic(`events: ${seen.join(', ')}`);
      assert.deepEqual(reason, { kind: 'exitPort', status: 0 });
      assert.match(r.serial(), /selftest: test_page\[0\] = a5\n/);
      assert.match(r.serial(), /selftest: done\n/);
      for (const name of ['KVMI_VCPU_EVENT_BREAKPOINT', 'KVMI_VCPU_EVENT_CR', 'KVMI_VCPU_EVENT_DESCRIPTOR', 'KVMI_VCPU_EVENT_HYPERCALL', 'KVMI_VCPU_EVENT_PF']) {
        assert.ok(seen.includes(name), `${name} seen`);
      }
      assert.ok(seen.indexOf('KVMI_VCPU_EVENT_BREAKPOINT') < seen.indexOf('KVMI_VCPU_EVENT_HYPERCALL'), 'in guest order');
      assert.ok(seen.indexOf('KVMI_VCPU_EVENT_HYPERCALL') < seen.indexOf('KVMI_VCPU_EVENT_PF'), 'in guest order');
    } finally { await r.dispose(); }
  });
}
