// Per-vCPU behaviour of the KVMI host: events are enabled and reported per vCPU, PAUSE targets one
// vCPU, CRASH (to an engine event, PAUSE or TRAP) ends the VM with vCPU's crash reason, and single-stepping blocks exception injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_ERR, KVMI_PAGE_ACCESS } from '../../../src/vmm/kvmi';
import { exitStatusOf } from '../../../src/vmm/engine/vmStop';
import { rig } from './support/harness';
import { expectEvent, op, rejectsWith, waitFor } from './support/programs';

const TEST_GPA = 0x5000;

test('PF enabled on vCPU 1 only: vCPU 1 reports its store, vCPU 0 stores without an event', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.spin()], { vcpus: 2 });
  try {
    assert.equal(await r.conn.getVmInfo(), 2);
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(1, EVENTS.KVMI_VCPU_EVENT_PF.id, true);
    await r.start([0, 1]);
    const pf = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
    assert.equal(pf.vcpu, 1);
    assert.equal(pf.common.vcpu, 1);
    await waitFor(() => r.vm.ram[TEST_GPA] === 0x55, 'vCPU 0 completes its store');
    assert.equal((await r.conn.getRegisters(1)).regs.rip, 0x1000n, 'vCPU 1 still waits');
    pf.reply('continue');
    let rip = 0n;
    for (let i = 0; i < 2000 && rip !== 0x1005n; i++) rip = (await r.conn.getRegisters(1)).regs.rip;
    assert.equal(rip, 0x1005n, 'after CONTINUE vCPU 1 completes its store and moves on');
    await r.conn.pauseVcpu(1);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.vcpu, 1);
    pause.reply('continue');
  } finally { await r.dispose(); }
});

test('CRASH in reply to an event ends the VM with a crash reason', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.spin()]);
  try {
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_PF.id, true);
    await r.start();
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF')).reply('crash');
    assert.equal((await r.vm.finished).kind, 'crash');
    assert.equal(r.vm.ram[TEST_GPA], 0, 'the store never happened');
  } finally { await r.dispose(); }
});

test('CRASH in reply to PAUSE ends the VM with vCPU 1\'s crash reason (CLI exit status 5), not a plain stop', async () => {
  const r = await rig(op.spin(), { vcpus: 2 });
  try {
    await r.start([0, 1]);
    await r.conn.pauseVcpu(1);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.vcpu, 1);
    pause.reply('crash');
    const reason = await r.vm.finished;
    assert.deepEqual(reason, { kind: 'crash', vcpu: 1, rip: pause.common.arch.regs.rip });
    assert.equal(exitStatusOf(reason), 5);
  } finally { await r.dispose(); }
});

test('CRASH in reply to TRAP ends the VM with a crash reason', async () => {
  const r = await rig(op.spin());
  try {
    await r.start();
    await r.conn.injectException(0, 3);
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_TRAP')).reply('crash');
    const reason = await r.vm.finished;
    assert.equal(reason.kind, 'crash');
    assert.equal(exitStatusOf(reason), 5);
  } finally { await r.dispose(); }
});

test('while single-stepping, INJECT_EXCEPTION answers -KVM_EBUSY', async () => {
  const r = await rig(op.spin());
  try {
    await r.conn.controlSinglestep(0, true);
    await rejectsWith(r.conn.injectException(0, 3), KVMI_ERR.EBUSY);
    await r.conn.controlSinglestep(0, false);
    r.host.permissions.setEvent(EVENTS.KVMI_VCPU_EVENT_SINGLESTEP.id, false);
    await rejectsWith(r.conn.controlSinglestep(0, true), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});
