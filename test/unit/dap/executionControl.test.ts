// Run control over a fake target: byte-precise watchpoint stops, neighbour accesses continued and
// counted, conditions and hit counts, log messages, all-stop across vCPUs, and single-stepping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Machine } from '../../../src/dap/session/machine';
import { GuestSymbols } from '../../../src/dap/session/guestSymbols';
import type { StopInfo } from '../../../src/dap/session/stopInfo';
import { FakeTarget, PAGE_W } from './support/fakeTarget';

const RIP = 0x100000n;
/** mov [rdi], rax */
const MOV_QWORD = [0x48, 0x89, 0x07];

function setup(vcpus = 1) {
  const target = new FakeTarget(vcpus);
  target.poke(RIP, MOV_QWORD);
  for (let v = 0; v < vcpus; v++) target.pfEnabled.add(v);
  const machine = new Machine(target, GuestSymbols.none());
  const stops: StopInfo[] = [];
  const output: string[] = [];
  machine.control.on('stopped', (s) => stops.push(s));
  machine.control.on('output', (t) => output.push(t));
  return { target, machine, stops, output };
}

const watch = (m: Machine, address: bigint, length: number, extra: Record<string, string> = {}) =>
  m.watchpoints.add({ origin: 'data', address, length, access: 'write', space: 'virtual', label: 'obj', ...extra }, 0);

test('a write to the watched bytes stops with the access described; a write next to them does not', async () => {
  const { target, machine, stops } = setup();
  const wp = await watch(machine, 0x5008n, 8);
  target.states[0].regs.rdi = 0x5000n;
  assert.equal(await target.guestAccess(0, 0x5000n, PAGE_W), 'continue', 'bytes 0x5000..7 are next to the watch');
  assert.equal(stops.length, 0);
  assert.equal(machine.control.filteredAccesses, 1);

  target.states[0].regs.rdi = 0x5008n;
  const reply = target.guestAccess(0, 0x5008n, PAGE_W);
  await once(machine.control, 'stopped');
  assert.equal(stops[0].reason, 'data breakpoint');
  assert.deepEqual(stops[0].hitBreakpointIds, [wp.id]);
  assert.equal(stops[0].access?.width, 8);
  assert.match(stops[0].description, /write of 8 bytes at gva 0x5008 gpa 0x5008 by "mov \[rdi\],rax"/);
  assert.equal(target.isRunning(0), false, 'the vCPU waits for the reply');
  await machine.control.continueAll();
  assert.equal(await reply, 'continue');
});

test('a condition and a hit count decide which hit stops', async () => {
  const { target, machine, stops } = setup();
  await watch(machine, 0x5000n, 8, { condition: '$rax >= 2', hitCondition: '2' });
  target.states[0].regs.rdi = 0x5000n;
  for (const rax of [0n, 1n, 2n]) {
    target.states[0].regs.rax = rax;
    assert.equal(await target.guestAccess(0, 0x5000n, PAGE_W), 'continue');
  }
  assert.equal(stops.length, 0, 'rax 0 and 1 fail the condition; rax 2 is hit 1 of 2');
  target.states[0].regs.rax = 3n;
  void target.guestAccess(0, 0x5000n, PAGE_W);
  await once(machine.control, 'stopped');
  assert.equal(stops[0].state.regs.rax, 3n);
});

test('a log message prints and continues', async () => {
  const { target, machine, stops, output } = setup();
  await watch(machine, 0x5000n, 8, { logMessage: 'rax is {$rax}' });
  target.states[0].regs.rdi = 0x5000n;
  target.states[0].regs.rax = 0x2an;
  assert.equal(await target.guestAccess(0, 0x5000n, PAGE_W), 'continue');
  assert.deepEqual(output, ['rax is 0x2a\n']);
  assert.equal(stops.length, 0);
});

test('all-stop: a stop on vCPU 1 pauses vCPU 0 until continue', async () => {
  const { target, machine } = setup(2);
  await watch(machine, 0x5000n, 8);
  target.states[1].regs.rdi = 0x5000n;
  const reply = target.guestAccess(1, 0x5000n, PAGE_W);
  const [stop] = await once(machine.control, 'stopped') as [StopInfo];
  assert.equal(stop.vcpu, 1);
  await new Promise((r) => setImmediate(r));
  assert.ok(target.log.includes('pause vcpu0'));
  assert.equal(target.isRunning(0), false, 'vCPU 0 is held in its PAUSE event');
  await machine.control.continueAll();
  assert.equal(await reply, 'continue');
  assert.equal(target.isRunning(0), true);
});

test('removing a watchpoint lifts the restriction so the guest no longer faults', async () => {
  const { target, machine } = setup();
  const wp = await watch(machine, 0x5000n, 8);
  assert.equal(target.access.get(0x5000n), 5);
  await machine.watchpoints.remove(wp.id);
  assert.equal(target.access.has(0x5000n), false);
  assert.equal(await target.guestAccess(0, 0x5000n, PAGE_W), 'none');
});

test('instruction step: single-steps once and reports a step stop', async () => {
  const { target, machine, stops } = setup();
  await watch(machine, 0x5000n, 8);
  target.states[0].regs.rdi = 0x5000n;
  void target.guestAccess(0, 0x5000n, PAGE_W);
  await once(machine.control, 'stopped');
  await machine.control.step(0, () => true);
  assert.ok(target.singleStepping.has(0));
  void target.guestStep(0, RIP + 3n);
  await once(machine.control, 'stopped');
  assert.equal(stops[1].reason, 'step');
  assert.equal(stops[1].state.regs.rip, RIP + 3n);
  assert.equal(target.singleStepping.has(0), false, 'single-stepping is turned off at the stop');
});
