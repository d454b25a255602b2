// Unhook on disconnect or garbage (kvmi-protocol.md §1.3 UNHOOK, §2.1 hard errors): a vCPU that
// waits for a reply goes on as if CONTINUE, page restrictions return to rwx, intercepts are
// cleared, the guest keeps running, and with reconnect a new tool is served from seq 1 again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_EVENT_ACTION, KVMI_MSG, KVMI_PAGE_ACCESS, buildMessage, encodeEventReply } from '../../../src/vmm/kvmi';
import { startIntrospection } from '../../../src/vmm/introspection';
import { listen } from '../../../src/dap/kvmi/kvmiListener';
import { hostOptions, rig, scriptedVm, socketDir } from './support/harness';
import { expectEvent, op, waitFor } from './support/programs';

const TEST_GPA = 0x5000;
const PF = EVENTS.KVMI_VCPU_EVENT_PF.id;

test('a tool that disconnects while a vCPU waits for a PF reply: the vCPU continues and the guest finishes', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.out(0x6f), ...op.exit(9)]);
  try {
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(0, PF, true);
    await r.start();
    await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
    r.conn.close();
    assert.deepEqual(await r.vm.finished, { kind: 'exitPort', status: 9 });
    assert.equal(r.vm.ram[TEST_GPA], 0x55, 'the write completed as after CONTINUE');
    assert.equal(r.vm.getPageAccess(BigInt(TEST_GPA)), 7, 'restrictions are lifted');
  } finally { await r.dispose(); }
});

test('a reply with the wrong seq is a hard error: the host closes, lifts restrictions and the guest runs on', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.exit(0)]);
  try {
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(0, PF, true);
    await r.start();
    const pf = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
    r.conn.sendRaw(encodeEventReply('KVMI_VCPU_EVENT_PF', pf.seq + 100, 0, KVMI_EVENT_ACTION.RETRY, undefined));
    const reason = await r.conn.closed;
    assert.equal(reason.kind, 'peerClosed');
    assert.deepEqual(await r.vm.finished, { kind: 'exitPort', status: 0 });
    assert.equal(r.vm.ram[TEST_GPA], 0x55);
  } finally { await r.dispose(); }
});

test('an event reply with non-zero padding or a refused action closes the session', async () => {
  for (const corrupt of ['padding', 'action'] as const) {
    const r = await rig([...op.store(TEST_GPA), ...op.exit(0)]);
    try {
      await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
      await r.conn.controlEvents(0, PF, true);
      await r.start();
      const pf = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
      const reply = encodeEventReply('KVMI_VCPU_EVENT_PF', pf.seq, 0, KVMI_EVENT_ACTION.CONTINUE, undefined);
      if (corrupt === 'padding') reply[8 + 8 + 3] = 1; else reply[8 + 8] = 7;
      r.conn.sendRaw(reply);
      await r.conn.closed;
      assert.deepEqual(await r.vm.finished, { kind: 'exitPort', status: 0 }, `after bad ${corrupt}`);
    } finally { await r.dispose(); }
  }
});

test('an event reply longer than the event allows closes the session (KVMI reference §2.1)', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.exit(0)]);
  try {
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(0, PF, true);
    await r.start();
    const pf = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
    const reply = encodeEventReply('KVMI_VCPU_EVENT_PF', pf.seq, 0, KVMI_EVENT_ACTION.CONTINUE, undefined);
    r.conn.sendRaw(buildMessage(KVMI_MSG.KVMI_VCPU_EVENT, pf.seq, [reply.subarray(8), new Uint8Array(8)]));
    await r.conn.closed;
    assert.deepEqual(await r.vm.finished, { kind: 'exitPort', status: 0 });
  } finally { await r.dispose(); }
});

test('after garbage the host unhooks, lifts restrictions, and with reconnect a new tool starts again at seq 1', async () => {
  const dir = socketDir();
  const address = `unix:${dir.path('k.sock')}`;
  const listener = await listen(address);
  const { vm, serial } = await scriptedVm([...op.out(0x61), ...op.store(TEST_GPA), ...op.out(0x62), ...op.spin()]);
  const host = startIntrospection(vm, hostOptions(address, { reconnectSeconds: 0.05 }), { log: () => {} });
  try {
    const first = await listener.accept(5000);
    const handle = await host;
    await first.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await first.controlEvents(0, PF, true);
    await first.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_BREAKPOINT.id, true);
    await handle.startGuest({ start: async (o) => vm.start(o) });
    await expectEvent(first, 'KVMI_VCPU_EVENT_PF');
    first.sendRaw(new Uint8Array([0xde, 0xad, 0xff, 0xff, 1, 2, 3, 4]));          // size 0xffff > 8184
    await first.closed;
    await waitFor(() => serial.includes(0x62), 'the guest runs past the write');
    assert.equal(vm.getPageAccess(BigInt(TEST_GPA)), 7);
    const second = await listener.accept(5000);
    assert.equal(vm.vcpus[0].state, 'running', 'the guest kept running without a tool');
    await second.pauseVcpu(0);
    const pause = await expectEvent(second, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.seq, 1, 'a new session numbers events from 1');
    pause.reply('continue');
    assert.equal(handle.sessionsStarted, 2);
    second.close();
    await handle.close();
  } finally {
    await vm.stop();
    await listener.close();
    dir.remove();
  }
});

test('after unhook the agent hypercall is no longer an event: the guest gets -KVM_ENOSYS again', async () => {
  const r = await rig([...op.vmcall(), ...op.out(0x61), ...op.vmcall(), ...op.out(0x62), ...op.spin()]);
  try {
    await r.conn.controlEvents(0, EVENTS.KVMI_VCPU_EVENT_HYPERCALL.id, true);
    await r.conn.controlCleanup(false);
    await r.start();
    await expectEvent(r.conn, 'KVMI_VCPU_EVENT_HYPERCALL');
    r.conn.close();
    await waitFor(() => r.serial.includes(0x62), 'the guest passes the second hypercall');
    assert.equal((await r.vm.vcpus[0].getRegs()).rax, 0xffff_ffff_ffff_fc18n, 'RAX = -1000 (-KVM_ENOSYS)');
  } finally { await r.dispose(); }
});
