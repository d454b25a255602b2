// The KVMI selftest checklist (kvmi-protocol.md §7), vCPU command items 10-15, 22-24 and 30,
// through the real socket to the KVMI host serving a software-engine VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_ERR, KVMI_MSG, UNMAPPED_GVA, vcpuHeader } from '../../../src/vmm/kvmi';
import { rig } from './support/harness';
import { expectEvent, op, rejectsWith } from './support/programs';

test('item 10: VCPU_GET_INFO reports the 1 GHz TSC of the software CPU', async () => {
  const r = await rig(op.spin());
  try {
    assert.equal(await r.conn.getVcpuInfo(0), 1_000_000_000n);
  } finally { await r.dispose(); }
});

test('item 11: PAUSE_VCPU with wait 0 and 1 each give one PAUSE event; wait 2 and a denied PAUSE fail', async () => {
  const r = await rig(op.spin());
  try {
    await r.start();
    for (const wait of [false, true]) {
      await r.conn.pauseVcpu(0, wait);
      const event = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
      assert.equal(event.vcpu, 0);
      assert.equal(event.common.arch.regs.rip, 0x1000n);
      event.reply('continue');
    }
    await rejectsWith(r.conn.command('KVMI_VM_PAUSE_VCPU', { vcpu: 0, wait: 2 }), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.pauseVcpu(1), KVMI_ERR.EINVAL);
    r.host.permissions.setEvent(EVENTS.KVMI_VCPU_EVENT_PAUSE.id, false);
    await rejectsWith(r.conn.pauseVcpu(0), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});

test('item 12: VCPU_CONTROL_EVENTS enables and disables; bad enable, unknown, VM and denied events fail', async () => {
  const r = await rig(op.spin());
  try {
    const pf = EVENTS.KVMI_VCPU_EVENT_PF.id;
    await r.conn.controlEvents(0, pf, true);
    await r.conn.controlEvents(0, pf, false);
    await rejectsWith(r.conn.command('KVMI_VCPU_CONTROL_EVENTS', { event_id: pf, enable: 2 }, 0), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.controlEvents(0, 0xffff, true), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.controlEvents(0, EVENTS.KVMI_VM_EVENT_UNHOOK.id, true), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_PAUSE.id, true), KVMI_ERR.EINVAL);
    r.host.permissions.setEvent(pf, false);
    await rejectsWith(r.conn.controlEvents(0, pf, true), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});

test('item 13: GET_REGISTERS with an MSR list; a bad vCPU, an unknown MSR and header padding give -KVM_EINVAL', async () => {
  const r = await rig(op.spin());
  try {
    const regs = await r.conn.getRegisters(0, [0x140]);
    assert.equal(regs.mode, 8);
    assert.equal(regs.regs.rip, 0x1000n);
    assert.deepEqual(regs.entries, [{ index: 0x140, data: 0n }]);
    await rejectsWith(r.conn.getRegisters(3), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.getRegisters(0, [0x12345]), KVMI_ERR.EINVAL);
    const badHeader = vcpuHeader(0);
    badHeader[2] = 1;
    assert.equal((await r.conn.rawCommand(KVMI_MSG.KVMI_VCPU_GET_REGISTERS, new Uint8Array([...badHeader, 0, 0, 0, 0, 0, 0, 0, 0]))).err, KVMI_ERR.EINVAL);
    const badBody = new Uint8Array([...vcpuHeader(0), 0, 0, 9, 0, 0, 0, 0, 0]);
    assert.equal((await r.conn.rawCommand(KVMI_MSG.KVMI_VCPU_GET_REGISTERS, badBody)).err, KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.getRegisters(0, Array.from({ length: 500 }, () => 0x140)), KVMI_ERR.EINVAL);
  } finally { await r.dispose(); }
});

test('item 14: SET_REGISTERS outside an event fails; during PAUSE the change lands after the reply', async () => {
  const r = await rig(op.spin());
  try {
    const before = await r.conn.getRegisters(0);
    await rejectsWith(r.conn.setRegisters(0, before.regs), KVMI_ERR.EOPNOTSUPP);
    await r.start();
    await r.conn.pauseVcpu(0);
    const event = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    await event.setRegisters({ ...event.common.arch.regs, rax: 0x1234n, rbx: 0x99n });
    assert.equal((await r.conn.getRegisters(0)).regs.rax, 0n, 'not applied before the reply');
    event.reply('continue');
    await r.conn.pauseVcpu(0);
    const second = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(second.common.arch.regs.rax, 0x1234n);
    assert.equal(second.common.arch.regs.rbx, 0x99n);
    second.reply('continue');
  } finally { await r.dispose(); }
});

test('item 15: GET_CPUID leaf 0 gives the highest basic leaf and "GenuineIntel"; an absent leaf is -KVM_ENOENT', async () => {
  const r = await rig(op.spin());
  try {
    const leaf0 = await r.conn.getCpuid(0, 0);
    assert.equal(leaf0.eax, 0xd);
    const vendor = Buffer.alloc(12);
    vendor.writeUInt32LE(leaf0.ebx, 0);
    vendor.writeUInt32LE(leaf0.edx, 4);
    vendor.writeUInt32LE(leaf0.ecx, 8);
    assert.equal(vendor.toString('latin1'), 'GenuineIntel');
    const brand = await r.conn.getCpuid(0, 0x8000_0002);
    assert.equal(Buffer.from(new Uint32Array([brand.eax, brand.ebx, brand.ecx, brand.edx]).buffer).toString('latin1'), 'Software x86-64 ');
    await rejectsWith(r.conn.getCpuid(0, 0x4fff_ffff), KVMI_ERR.ENOENT);
    await rejectsWith(r.conn.getCpuid(0, 0x7), KVMI_ERR.ENOENT);
  } finally { await r.dispose(); }
});

test('items 22-24: GET_XCR 0 (1 refused), GET_XSAVE then SET_XSAVE of the same area, MTRR type WB for RAM', async () => {
  const r = await rig(op.spin());
  try {
    assert.equal(await r.conn.getXcr(0, 0), 1n);
    await rejectsWith(r.conn.getXcr(0, 1), KVMI_ERR.EINVAL);
    const area = await r.conn.getXsave(0);
    assert.equal(area.length, 1024);
    area[0] = 0x037f;
    await r.conn.setXsave(0, area);
    assert.equal((await r.conn.getXsave(0))[0], 0x037f);
    assert.equal(await r.conn.getMtrrType(0, 0x1000n), 6);
    assert.equal(await r.conn.getMtrrType(0, 0x1_0000_0000n), 0);
  } finally { await r.dispose(); }
});

test('item 30: TRANSLATE_GVA maps the test address to its gpa and -1 to ~0', async () => {
  const r = await rig(op.spin());
  try {
    assert.equal(await r.conn.translateGva(0, 0x2345n), 0x2345n);
    assert.equal(await r.conn.translateGva(0, 0xffff_ffff_ffff_ffffn), UNMAPPED_GVA);
  } finally { await r.dispose(); }
});
