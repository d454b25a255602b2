// The KVMI selftest checklist (kvmi-protocol.md §7), VM-scoped items 2-9, 18 and 27, plus the
// ioctl items of §7.1 mapped to the VMM's permission table: every check goes through the real
// socket to the KVMI host serving a software-engine VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_ERR, KVMI_MSG, KVMI_PAGE_ACCESS } from '../../../src/vmm/kvmi';
import { KvmiPermissionError } from '../../../src/vmm/introspection';
import { rig } from './support/harness';
import { op, rejectsWith } from './support/programs';

const UNHOOK = EVENTS.KVMI_VM_EVENT_UNHOOK.id;

test('item 2: an unknown message id is answered with -KVM_ENOSYS', async () => {
  const r = await rig(op.spin());
  try {
    assert.equal((await r.conn.rawCommand(0xffff, new Uint8Array(0))).err, KVMI_ERR.ENOSYS);
    assert.equal(await r.conn.getVmInfo(), 1, 'the session goes on');
  } finally { await r.dispose(); }
});

test('items 4-5: CHECK_COMMAND and CHECK_EVENT report supported, unknown and disallowed ids', async () => {
  const r = await rig(op.spin());
  try {
    await r.conn.checkCommand(KVMI_MSG.KVMI_VM_GET_INFO);
    await rejectsWith(r.conn.checkCommand(0xffff), KVMI_ERR.ENOENT);
    await rejectsWith(r.conn.checkEvent(0xffff), KVMI_ERR.ENOENT);
    await r.conn.checkEvent(UNHOOK);
    r.host.permissions.setCommand(KVMI_MSG.KVMI_VM_GET_INFO, false);
    r.host.permissions.setEvent(UNHOOK, false);
    await rejectsWith(r.conn.checkCommand(KVMI_MSG.KVMI_VM_GET_INFO), KVMI_ERR.EPERM);
    await rejectsWith(r.conn.getVmInfo(), KVMI_ERR.EPERM);
    await rejectsWith(r.conn.checkEvent(UNHOOK), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});

test('item 1 (permission table): the always-allowed commands cannot be denied, unknown ids are refused', async () => {
  const r = await rig(op.spin());
  try {
    for (const id of [KVMI_MSG.KVMI_GET_VERSION, KVMI_MSG.KVMI_VM_CHECK_COMMAND, KVMI_MSG.KVMI_VM_CHECK_EVENT]) {
      assert.throws(() => r.host.permissions.setCommand(id, false), (e: unknown) => e instanceof KvmiPermissionError && e.errno === 'EPERM');
    }
    assert.throws(() => r.host.permissions.setCommand(0xffff, false), (e: unknown) => e instanceof KvmiPermissionError && e.errno === 'EINVAL');
    r.host.permissions.setCommand(-1, false);
    assert.equal((await r.conn.getVersion()).version, 1, 'GET_VERSION survives disallow-all');
    await r.conn.checkCommand(KVMI_MSG.KVMI_VM_CHECK_EVENT);
    await rejectsWith(r.conn.getVmInfo(), KVMI_ERR.EPERM);
    r.host.permissions.setCommand(-1, true);
    assert.equal(await r.conn.getVmInfo(), 1);
  } finally { await r.dispose(); }
});

test('items 6-8: VM info, UNHOOK on pre-unhook, VM event control errors', async () => {
  const r = await rig(op.spin());
  try {
    assert.equal(await r.conn.getVmInfo(), 1);
    assert.equal(await r.host.preUnhook(), 'notEnabled', 'no UNHOOK event before it is enabled');
    await r.conn.controlVmEvents(UNHOOK, false);
    await rejectsWith(r.conn.command('KVMI_VM_CONTROL_EVENTS', { event_id: UNHOOK, enable: 2 }), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.controlVmEvents(0xffff, true), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.controlVmEvents(EVENTS.KVMI_VCPU_EVENT_PF.id, true), KVMI_ERR.EINVAL);
    await r.conn.controlVmEvents(UNHOOK, true);
    const unhooked = r.host.preUnhook();
    const event = await r.conn.nextEvent(5000);
    assert.equal(event?.name, 'KVMI_VM_EVENT_UNHOOK');
    assert.equal(event?.scope, 'vm');
    r.conn.close();
    assert.equal(await unhooked, 'unhooked');
    r.host.permissions.setEvent(UNHOOK, false);
  } finally { await r.dispose(); }
});

test('item 8: a disallowed VM event cannot be enabled', async () => {
  const r = await rig(op.spin(), { host: { deniedEvents: [UNHOOK] } });
  try {
    await rejectsWith(r.conn.controlVmEvents(UNHOOK, true), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});

test('item 9: a full page written then read back matches guest memory; size 0 and gpa past RAM fail', async () => {
  const r = await rig(op.spin());
  try {
    const page = new Uint8Array(4096).map((_, i) => (i * 7 + 3) & 0xff);
    await r.conn.writePhysical(0x3000n, page);
    assert.deepEqual(await r.conn.readPhysical(0x3000n, 4096), page);
    assert.deepEqual(r.vm.readGuest(0x3000, 4096), page);
    const end = BigInt(r.vm.ram.length);
    await rejectsWith(r.conn.readPhysical(0x3000n, 0), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.writePhysical(0x3000n, new Uint8Array(0)), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.readPhysical(end, 16), KVMI_ERR.ENOENT);
    await rejectsWith(r.conn.writePhysical(end, new Uint8Array(16)), KVMI_ERR.ENOENT);
    await rejectsWith(r.conn.readPhysical(0x3ff0n, 32), KVMI_ERR.EINVAL);
  } finally { await r.dispose(); }
});

test('item 18: CONTROL_CLEANUP accepts 0 and 1 and refuses 2', async () => {
  const r = await rig(op.spin());
  try {
    await rejectsWith(r.conn.command('KVMI_VM_CONTROL_CLEANUP', { enable: 2 }), KVMI_ERR.EINVAL);
    await r.conn.controlCleanup(true);
    await r.conn.controlCleanup(false);
  } finally { await r.dispose(); }
});

test('item 27: SET_PAGE_ACCESS to 0 and back to rwx on gpa 0; bad bits and gpa past RAM fail', async () => {
  const r = await rig(op.spin());
  try {
    await r.conn.setPageAccess([{ gpa: 0n, access: 0 }]);
    assert.equal(r.vm.getPageAccess(0n), 0);
    await r.conn.setPageAccess([{ gpa: 0n, access: KVMI_PAGE_ACCESS.R | KVMI_PAGE_ACCESS.W | KVMI_PAGE_ACCESS.X }]);
    assert.equal(r.vm.getPageAccess(0n), 7);
    await rejectsWith(r.conn.setPageAccess([{ gpa: 0n, access: 8 }]), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.setPageAccess([{ gpa: 0x2000n, access: 1 }, { gpa: BigInt(r.vm.ram.length), access: 1 }]), KVMI_ERR.EINVAL);
    assert.equal(r.vm.getPageAccess(0x2000n), 1, 'the valid entry before the bad one was applied');
  } finally { await r.dispose(); }
});

test('size compatibility: a shorter command is zero-filled, a longer one has its extra bytes ignored', async () => {
  const r = await rig(op.spin());
  try {
    const short = await r.conn.rawCommand(KVMI_MSG.KVMI_VM_CHECK_COMMAND, new Uint8Array([KVMI_MSG.KVMI_VM_GET_INFO, 0]));
    assert.equal(short.err, 0, 'CHECK_COMMAND with only its id: padding reads as 0');
    const long = await r.conn.rawCommand(KVMI_MSG.KVMI_VM_CHECK_COMMAND, new Uint8Array([KVMI_MSG.KVMI_VM_GET_INFO, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9]));
    assert.equal(long.err, 0);
    const badPadding = await r.conn.rawCommand(KVMI_MSG.KVMI_VM_CHECK_COMMAND, new Uint8Array([KVMI_MSG.KVMI_VM_GET_INFO, 0, 1, 0, 0, 0, 0, 0]));
    assert.equal(badPadding.err, KVMI_ERR.EINVAL);
  } finally { await r.dispose(); }
});
