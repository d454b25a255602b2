// The KVMI selftest checklist (kvmi-protocol.md §7), event items 16, 17, 19-21, 25, 26, 28 and 29:
// the scripted CPU performs the guest action, the event arrives through the socket with the
// expected payload, and the reply's effect on the guest is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, KVMI_ERR, KVMI_PAGE_ACCESS, vcpuHeader } from '../../../src/vmm/kvmi';
import { INJECTED_LOG } from './support/scriptedCpu';
import { rig } from './support/harness';
import { expectEvent, op, rejectsWith, waitFor } from './support/programs';

const E = EVENTS;
const TEST_GPA = 0x5000;

test('item 28: PF on a read-only page, tool grants R|W and replies RETRY, the write lands (seed PF scenario)', async () => {
  const r = await rig([...op.store(TEST_GPA), ...op.spin()]);
  try {
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R }]);
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_PF.id, true);
    await r.start();
    const pf = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PF');
    assert.equal(pf.seq, 1, 'the first event of a session has seq 1');
    assert.deepEqual([pf.payload.gpa, pf.payload.gva, pf.payload.access], [BigInt(TEST_GPA), BigInt(TEST_GPA), KVMI_PAGE_ACCESS.W]);
    assert.equal(r.vm.ram[TEST_GPA], 0, 'the write waits for the reply');
    assert.equal((await r.conn.getRegisters(0)).regs.rip, 0x1000n, 'the waiting vCPU still serves commands');
    assert.equal(await r.conn.translateGva(0, BigInt(TEST_GPA)), BigInt(TEST_GPA));
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: KVMI_PAGE_ACCESS.R | KVMI_PAGE_ACCESS.W }]);
    pf.reply('retry');
    await waitFor(() => r.vm.ram[TEST_GPA] === 0x55, 'the write lands after RETRY');
    await r.conn.pauseVcpu(0);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.seq, 2, 'no further PF event: the retried write passed');
    pause.reply('continue');
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_PF.id, false);
    await r.conn.setPageAccess([{ gpa: BigInt(TEST_GPA), access: 7 }]);
    assert.equal(r.vm.getPageAccess(BigInt(TEST_GPA)), 7);
  } finally { await r.dispose(); }
});

test('item 16: the agent hypercall raises HYPERCALL; CONTINUE returns 0 to the guest', async () => {
  const r = await rig([...op.vmcall(), ...op.spin()]);
  try {
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_HYPERCALL.id, true);
    await r.start();
    const event = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_HYPERCALL');
    event.reply('continue');
    await r.conn.pauseVcpu(0);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.common.arch.regs.rax, 0n);
    pause.reply('continue');
  } finally { await r.dispose(); }
});

test('item 17: INT3 raises BREAKPOINT with insn_len; RIP advanced by SET_REGISTERS and RETRY skips it', async () => {
  const r = await rig([...op.int3(), ...op.incRax(), ...op.out(0x6b), ...op.spin()]);
  try {
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_BREAKPOINT.id, true);
    await r.start();
    const bp = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_BREAKPOINT');
    assert.equal(bp.payload.insn_len, 1);
    assert.equal(bp.payload.gpa, 0x1000n);
    const regs = bp.common.arch.regs;
    await bp.setRegisters({ ...regs, rip: regs.rip + BigInt(bp.payload.insn_len) });
    bp.reply('retry');
    await waitFor(() => r.serial.includes(0x6b), 'the guest runs past the INT3');
    await r.conn.pauseVcpu(0);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.common.arch.regs.rax, 1n, 'execution went on after the INT3');
    assert.equal(r.vm.ram[INJECTED_LOG], 0, 'no #BP reached the guest');
    pause.reply('continue');
  } finally { await r.dispose(); }
});

test('item 19: a monitored CR4 write raises CR; new_val = old_value blocks it; bad cr and enable fail', async () => {
  const r = await rig([...op.movCr(4, 0x40000), ...op.spin()]);
  try {
    await rejectsWith(r.conn.controlCr(0, 99, true), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.command('KVMI_VCPU_CONTROL_CR', { cr: 4, enable: 2 }, 0), KVMI_ERR.EINVAL);
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_CR.id, true);
    await r.conn.controlCr(0, 4, true);
    await r.start();
    const cr = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_CR');
    assert.deepEqual([cr.payload.cr, cr.payload.old_value, cr.payload.new_value], [4, 0n, 0x40000n]);
    cr.reply('continue', { newValue: cr.payload.old_value });
    await r.conn.pauseVcpu(0);
    const pause = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE');
    assert.equal(pause.common.arch.sregs.cr4, 0n, 'CR4 kept its old value');
    assert.equal(pause.common.arch.regs.rip, 0x1006n, 'the MOV completed');
    pause.reply('continue');
  } finally { await r.dispose(); }
});

test('item 20: an injected #BP is reported by TRAP with the same vector; a second inject is -KVM_EBUSY; denied TRAP is -KVM_EPERM', async () => {
  const r = await rig(op.spin());
  try {
    await r.start();
    await r.conn.injectException(0, 3);
    await rejectsWith(r.conn.injectException(0, 3), KVMI_ERR.EBUSY);
    const trap = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_TRAP');
    assert.equal(trap.payload.nr, 3);
    trap.reply('continue');
    await r.conn.pauseVcpu(0);
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE')).reply('continue');
    assert.deepEqual([r.vm.ram[INJECTED_LOG], r.vm.ram[INJECTED_LOG + 1]], [1, 3], 'the guest received #BP once');
    r.host.permissions.setEvent(E.KVMI_VCPU_EVENT_TRAP.id, false);
    await rejectsWith(r.conn.injectException(0, 3), KVMI_ERR.EPERM);
  } finally { await r.dispose(); }
});

test('item 21: XSETBV raises an XSETBV event with old and new XCR0', async () => {
  const r = await rig([...op.xsetbv(7), ...op.spin()]);
  try {
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_XSETBV.id, true);
    await r.start();
    const x = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_XSETBV');
    assert.deepEqual([x.payload.xcr, x.payload.old_value, x.payload.new_value], [0, 1n, 7n]);
    x.reply('continue');
    await r.conn.pauseVcpu(0);
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE')).reply('continue');
    assert.equal(await r.conn.getXcr(0), 7n);
  } finally { await r.dispose(); }
});

test('item 25: SGDT gives a DESCRIPTOR event with write 0, LGDT one with write 1', async () => {
  const r = await rig([...op.descriptor(2, false), ...op.descriptor(2, true), ...op.spin()]);
  try {
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_DESCRIPTOR.id, true);
    await r.start();
    const store = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_DESCRIPTOR');
    assert.deepEqual([store.payload.descriptor, store.payload.write], [2, 0]);
    store.reply('continue');
    const load = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_DESCRIPTOR');
    assert.deepEqual([load.payload.descriptor, load.payload.write], [2, 1]);
    load.reply('continue');
  } finally { await r.dispose(); }
});

test('item 26: a monitored WRMSR raises MSR; replying the old value blocks it; bad MSR, enable and padding fail', async () => {
  const r = await rig([...op.wrmsr(0x140, 1), ...op.spin()]);
  try {
    await rejectsWith(r.conn.controlMsr(0, 0x2000, true), KVMI_ERR.EINVAL);
    await rejectsWith(r.conn.command('KVMI_VCPU_CONTROL_MSR', { enable: 2, msr: 0x140 }, 0), KVMI_ERR.EINVAL);
    const padded = new Uint8Array([...vcpuHeader(0), 1, 1, 0, 0, 0x40, 0x01, 0, 0]);
    assert.equal((await r.conn.rawCommand(25, padded)).err, KVMI_ERR.EINVAL);
    await r.conn.controlEvents(0, E.KVMI_VCPU_EVENT_MSR.id, true);
    await r.conn.controlMsr(0, 0x140, true);
    await r.start();
    const msr = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_MSR');
    assert.deepEqual([msr.payload.msr, msr.payload.old_value, msr.payload.new_value], [0x140, 0n, 1n]);
    msr.reply('continue', { newValue: msr.payload.old_value });
    await r.conn.pauseVcpu(0);
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE')).reply('continue');
    assert.deepEqual((await r.conn.getRegisters(0, [0x140])).entries, [{ index: 0x140, data: 0n }]);
  } finally { await r.dispose(); }
});

test('item 29: single-stepping sends one SINGLESTEP per instruction with failed = 0; enable 2 fails', async () => {
  const r = await rig([...op.incRax(), ...op.incRax(), ...op.spin()]);
  try {
    await rejectsWith(r.conn.command('KVMI_VCPU_CONTROL_SINGLESTEP', { enable: 2 }, 0), KVMI_ERR.EINVAL);
    await r.conn.controlSinglestep(0, true);
    await r.start();
    const first = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_SINGLESTEP');
    assert.equal(first.payload.failed, 0);
    assert.equal(first.common.arch.regs.rip, 0x1001n);
    first.reply('continue');
    const second = await expectEvent(r.conn, 'KVMI_VCPU_EVENT_SINGLESTEP');
    assert.equal(second.common.arch.regs.rip, 0x1002n);
    await r.conn.controlSinglestep(0, false);
    second.reply('continue');
    await r.conn.pauseVcpu(0);
    (await expectEvent(r.conn, 'KVMI_VCPU_EVENT_PAUSE')).reply('continue');
  } finally { await r.dispose(); }
});
