// The software engine's threading and KVMI plumbing, driven by a scripted CPU (fakeCpu.ts) in real
// vCPU worker threads: serial batching, the exit port, shutdown, pause, commands served while a
// vCPU waits for an event reply, PF CONTINUE/RETRY, reply validation and bad configurations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { EngineError, Vm } from '../../../src/vmm/engine/engine';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { emptyRegs } from '../../../src/vmm/x86/kvmState';

const engine = new EmulatorEngine({ cpuModule: join(__dirname, 'fakeCpu.ts') });
const MiB = 1 << 20;

async function vmWith(program: number[], at = 0x1000, opts: { vcpus?: number } = {}) {
  const serial: number[] = [];
  const vm = await engine.createVm({ memoryBytes: 2 * MiB, vcpus: opts.vcpus ?? 1, serialOutput: (b) => serial.push(...b) });
  vm.writeGuest(at, new Uint8Array(program));
  await vm.vcpus[0].setRegs({ ...emptyRegs(), rip: BigInt(at) });
  return { vm, serial };
}

function nextEvent(vm: Vm): Promise<VcpuEvent> {
  return new Promise((resolve) => vm.onEvent(resolve));
}

test('serial output reaches the sink and the exit port ends the VM with its value', async () => {
  const { vm, serial } = await vmWith([0x01, 0x68, 0x01, 0x69, 0x02, 0x07]);
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 7 });
  assert.equal(Buffer.from(serial).toString(), 'hi');
  assert.equal(vm.stats().instructions, 3);
  assert.equal(vm.vcpus[0].state, 'stopped');
});

test('a shutdown exit ends the VM with the reason and RIP', async () => {
  const { vm } = await vmWith([0x07]);
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'shutdown', reason: 'triple fault', rip: 0x1000n });
});

test('HLT with interrupts disabled ends the VM as halted', async () => {
  const { vm } = await vmWith([0x09, 0x04]);
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'halted', vcpu: 0, rip: 0x1002n });
});

test('a spinning vCPU pauses promptly, answers commands while paused, and resumes', async () => {
  const { vm } = await vmWith([0x05]);
  vm.start();
  await vm.vcpus[0].pause();
  assert.equal(vm.vcpus[0].state, 'paused');
  const before = (await vm.vcpus[0].getRegs()).rip;
  assert.equal(before, 0x1000n);
  vm.writeGuest(0x1000, new Uint8Array([0x02, 0x2a]));        // patch the spin into an exit
  await vm.vcpus[0].unpause();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 42 });
});

test('PF: the write waits for the reply, commands are served meanwhile, RETRY after lifting lands it', async () => {
  const { vm } = await vmWith([0x03, 0x00, 0x20, 0x00, 0x00, 0x02, 0x00]);
  vm.start({ paused: true });
  vm.setPageAccess([{ gpa: 0x2000n, access: 1 }]);
  await vm.vcpus[0].setIntercepts({ pf: true });
  const event = nextEvent(vm);
  await vm.vcpus[0].unpause();
  const e = await event;
  assert.equal(e.kind, 'pf');
  assert.deepEqual(e.kind === 'pf' && [e.gpa, e.access], [0x2000n, 2]);
  assert.equal(e.arch.regs.rip, 0x1000n, 'state is from before the instruction');
  assert.equal(vm.vcpus[0].state, 'waitingForReply');
  assert.equal(vm.ram[0x2000], 0, 'the write has not happened');
  assert.equal((await vm.vcpus[0].getRegs()).rip, 0x1000n, 'registers are served while waiting');
  assert.equal(await vm.vcpus[0].translate(0x2000n), 0x2000n);
  vm.setPageAccess([{ gpa: 0x2000n, access: 7 }]);
  e.reply('retry');
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 0 });
  assert.equal(vm.ram[0x2000], 0x55);
  assert.equal(vm.stats().events, 1);
});

test('PF: CONTINUE performs the access although the page stays restricted', async () => {
  const { vm } = await vmWith([0x03, 0x10, 0x20, 0x00, 0x00, 0x02, 0x01]);
  vm.setPageAccess([{ gpa: 0x2000n, access: 0 }]);
  await vm.vcpus[0].setIntercepts({ pf: true });
  vm.onEvent((e) => e.reply('continue'));
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 1 });
  assert.equal(vm.ram[0x2010], 0x55);
  assert.equal(vm.getPageAccess(0x2010n), 0);
});

test('an event accepts exactly one reply', async () => {
  const { vm } = await vmWith([0x06, 0x02, 0x03]);
  await vm.vcpus[0].setIntercepts({ breakpoint: true });
  const event = nextEvent(vm);
  vm.start();
  const e = await event;
  assert.equal(e.kind, 'breakpoint');
  e.reply('continue');
  assert.throws(() => e.reply('continue'), (err: unknown) => err instanceof EngineError && err.kind === 'badReply');
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 3 });
});

test('a pause requested while waiting for a reply takes effect after the reply', async () => {
  const { vm } = await vmWith([0x06, 0x02, 0x04]);
  await vm.vcpus[0].setIntercepts({ breakpoint: true });
  const event = nextEvent(vm);
  vm.start();
  const e = await event;
  const paused = vm.vcpus[0].pause();
  e.reply('continue');
  await paused;
  assert.equal(vm.vcpus[0].state, 'paused');
  assert.equal((await vm.vcpus[0].getRegs()).rip, 0x1001n);
  await vm.vcpus[0].unpause();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 4 });
});

test('CRASH ends the VM; later commands fail with a typed error', async () => {
  const { vm } = await vmWith([0x06]);
  await vm.vcpus[0].setIntercepts({ breakpoint: true });
  vm.onEvent((e) => e.reply('crash'));
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'crash', vcpu: 0, rip: 0x1000n });
  await assert.rejects(vm.vcpus[0].getRegs(), (err: unknown) => err instanceof EngineError && err.kind === 'vcpuStopped');
});

test('Vm.crash ends a running VM with that vCPU\'s crash reason; an unknown vCPU is refused', async () => {
  const { vm } = await vmWith([0x05], 0x1000, { vcpus: 2 });
  vm.start();
  await assert.rejects(vm.crash(2), (e: unknown) => e instanceof EngineError && e.message === 'no vCPU 2 to crash; the VM has 2');
  await vm.crash(1, 0x1234n);
  assert.deepEqual(await vm.finished, { kind: 'crash', vcpu: 1, rip: 0x1234n });
  assert.deepEqual(vm.vcpus.map((v) => v.state), ['stopped', 'stopped']);
});

test('with several vCPUs, the first to end stops the others', async () => {
  const { vm } = await vmWith([0x02, 0x09], 0x1000, { vcpus: 3 });
  for (const i of [1, 2]) {
    vm.writeGuest(0x3000, new Uint8Array([0x05]));
    await vm.vcpus[i].setRegs({ ...emptyRegs(), rip: 0x3000n });
  }
  vm.start();
  assert.deepEqual(await vm.finished, { kind: 'exitPort', status: 9 });
  assert.deepEqual(vm.vcpus.map((v) => v.state), ['stopped', 'stopped', 'stopped']);
});

test('bad VM configurations and addresses are refused with specific errors', async () => {
  await assert.rejects(engine.createVm({ memoryBytes: 1000, vcpus: 1 }), { message: 'guest memory must be a whole number of 4 KiB pages, got 1000 bytes' });
  await assert.rejects(engine.createVm({ memoryBytes: 4096, vcpus: 1 }), { message: 'guest memory must be between 1 and 3072 MiB, got 0.00390625 MiB' });
  await assert.rejects(engine.createVm({ memoryBytes: MiB, vcpus: 0 }), { message: 'vCPU count must be between 1 and 64, got 0' });
  const { vm } = await vmWith([0x02, 0x00]);
  assert.throws(() => vm.setPageAccess([{ gpa: 0x200000n, access: 1 }]), { message: 'gpa 0x200000 is not guest RAM' });
  assert.throws(() => vm.setPageAccess([{ gpa: 0x1000n, access: 8 }]), { message: 'page access 8 is not a combination of R=1, W=2, X=4' });
  assert.throws(() => vm.readGuest(0x1ff000, 0x2000), (e: unknown) => e instanceof EngineError && e.kind === 'badAddress');
  await vm.stop();
});
