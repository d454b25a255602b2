// An event reply without data travels through shared memory while commands travel as messages
// (src/vmm/engine/sharedControl.ts REPLY_SEQ/REPLY_ACTION): a command sent before the reply must
// still take effect before the vCPU acts on the reply. Driven by the scripted CPU of the engine
// tests (test/unit/vmm/fakeCpu.ts) in real vCPU threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { emptyRegs } from '../../../src/vmm/x86/kvmState';
import { EVENT_POLL_MS } from '../../../src/vmm/engine/eventInbox';

const engine = new EmulatorEngine({ cpuModule: join(__dirname, '..', 'vmm', 'fakeCpu.ts') });

test('RIP moved by a command sent just before RETRY: the retried instruction is the one at the new RIP', async () => {
  const vm = await engine.createVm({ memoryBytes: 2 << 20, vcpus: 1 });
  vm.writeGuest(0x1000, Uint8Array.from([0x03, 0x00, 0x20, 0x00, 0x00, 0x02, 0x00]));   // write 0x2000; exit 0
  vm.writeGuest(0x1100, Uint8Array.from([0x02, 0x07]));                                   // exit 7
  await vm.vcpus[0].setRegs({ ...emptyRegs(), rip: 0x1000n });
  await vm.vcpus[0].setIntercepts({ pf: true });
  vm.setPageAccess([{ gpa: 0x2000n, access: 1 }]);
  let events = 0;
  vm.onEvent((e) => {
    events++;
    vm.setPageAccess([{ gpa: 0x2000n, access: 7 }]);
    void vm.vcpus[0].setRegs({ ...e.arch.regs, rip: 0x1100n });
    e.reply('retry');
  });
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 7 });
  assert.equal(events, 1);
  assert.equal(vm.ram[0x2000], 0, 'the write at the old RIP never ran');
});

test('CONTINUE answered at once, event after event, performs every write', async () => {
  const writes = [0x2000, 0x2010, 0x2020, 0x2030];
  const program = writes.flatMap((a) => [0x03, a & 0xff, a >> 8, 0x00, 0x00]);
  const vm = await engine.createVm({ memoryBytes: 2 << 20, vcpus: 1 });
  vm.writeGuest(0x1000, Uint8Array.from([...program, 0x02, 0x05]));
  await vm.vcpus[0].setRegs({ ...emptyRegs(), rip: 0x1000n });
  await vm.vcpus[0].setIntercepts({ pf: true });
  vm.setPageAccess([{ gpa: 0x2000n, access: 1 }]);
  const seen: bigint[] = [];
  vm.onEvent((e) => { if (e.kind === 'pf') seen.push(e.gpa); e.reply('continue'); });
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 5 });
  assert.deepEqual(seen, writes.map(BigInt));
  for (const a of writes) assert.equal(vm.ram[a], 0x55);
});

test('serial output written before an event reaches the VMM core before the event does', async () => {
  // Events travel through the vCPU's mailbox in shared memory, serial output as messages
  // (src/vmm/engine/eventMailbox.ts): the VMM core holds an event back until the messages sent
  // before it have arrived, so a stop is never shown before the output that preceded it.
  const vm = await engine.createVm({ memoryBytes: 2 << 20, vcpus: 1, serialOutput: (b) => { serial += Buffer.from(b).toString('latin1'); } });
  let serial = '';
  const text = 'watch';
  const program: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const ch of text) program.push(0x01, ch.charCodeAt(0));
    program.push(0x03, 0x00, 0x20, 0x00, 0x00);                                            // write 0x2000 (watched)
  }
  vm.writeGuest(0x1000, Uint8Array.from([...program, 0x02, 0x00]));
  await vm.vcpus[0].setRegs({ ...emptyRegs(), rip: 0x1000n });
  await vm.vcpus[0].setIntercepts({ pf: true });
  vm.setPageAccess([{ gpa: 0x2000n, access: 1 }]);
  const seenAtEvent: string[] = [];
  vm.onEvent((e) => { seenAtEvent.push(serial); e.reply('continue'); });
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 0 });
  assert.deepEqual(seenAtEvent, Array.from({ length: 20 }, (_, i) => text.repeat(i + 1)));
});

test('events still reach the VMM core when it has stopped polling for them (slow answers)', async () => {
  // After each event the VMM core polls the mailboxes for EVENT_POLL_MS, then sleeps and must be
  // woken by the next event (src/vmm/engine/eventInbox.ts); answers here come later than that.
  const writes = [0x2000, 0x2010, 0x2020];
  const program = writes.flatMap((a) => [0x03, a & 0xff, a >> 8, 0x00, 0x00]);
  const vm = await engine.createVm({ memoryBytes: 2 << 20, vcpus: 1 });
  vm.writeGuest(0x1000, Uint8Array.from([...program, 0x02, 0x06]));
  await vm.vcpus[0].setRegs({ ...emptyRegs(), rip: 0x1000n });
  await vm.vcpus[0].setIntercepts({ pf: true });
  vm.setPageAccess([{ gpa: 0x2000n, access: 1 }]);
  const seen: bigint[] = [];
  vm.onEvent((e) => {
    if (e.kind === 'pf') seen.push(e.gpa);
    setTimeout(() => e.reply('continue'), 5 * EVENT_POLL_MS);
  });
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 6 });
  assert.deepEqual(seen, writes.map(BigInt));
});
