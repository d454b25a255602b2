// The DAP session over an in-memory target (no VMM): attach with entry stop, vCPU threads,
// register writes through the target, debug console commands for page restrictions, memory writes,
// byte-precise stops reported as DAP events, and a detach that lifts every restriction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startInProcessAdapter } from './support/inProcessAdapter';
import { FakeTarget, PAGE_W } from './support/fakeTarget';
import { scopeVariables, topFrame, untilStop } from './support/dapSteps';

async function attached(target: FakeTarget) {
  const adapter = await startInProcessAdapter({ connector: async () => ({ accept: async () => target, close: async () => undefined }) });
  const client = adapter.client;
  await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
  const initialized = client.waitForEvent('initialized');
  await client.attachRequest({ listen: 'unix:/tmp/kvmi-fake-unused.sock', stopOnEntry: true } as DebugProtocol.AttachRequestArguments);
  await initialized;
  const entry = await untilStop(client, () => client.configurationDoneRequest());
  return { adapter, client, entry };
}

test('attach to a 2-vCPU target: entry stop, threads, register write, console commands, detach', async () => {
  const target = new FakeTarget(2);
  target.poke(0x100000n, [0x48, 0x89, 0x07]); // mov [rdi], rax
  const { adapter, client, entry } = await attached(target);
  try {
    assert.equal(entry.body.reason, 'entry');
    const threads = (await client.threadsRequest()).body.threads;
    assert.deepEqual(threads.map((th) => th.name), ['vCPU 0', 'vCPU 1']);

    const frame = await topFrame(client, entry.body.threadId!);
    const regs = (await client.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'Registers')!;
    const set = await client.setVariableRequest({ variablesReference: regs.variablesReference, name: 'rax', value: '0x1234' });
    assert.equal(BigInt(set.body.value), 0x1234n);
    assert.equal(target.states[0].regs.rax, 0x1234n, 'written through KVMI_VCPU_SET_REGISTERS');
    assert.equal((await client.evaluateRequest({ expression: '$rax + 1', context: 'watch' })).body.result, '0x1235');
    const control = await scopeVariables(client, frame.id, 'Control registers');
    assert.match(control.get('cr0')!.value, /\[PE ET PG\]/);
    assert.match(control.get('efer')!.value, /\[LME LMA\]/);

    const info = await client.dataBreakpointInfoRequest({ name: '0x5008', asAddress: true, bytes: 4 });
    await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const pages = await client.evaluateRequest({ expression: '.pages', context: 'repl' });
    assert.match(pages.body.result, /frame 0x5000: r-x/);
    await client.evaluateRequest({ expression: '.pages 0x9000 r--', context: 'repl' });
    assert.equal(target.access.get(0x9000n), 1);

    await client.customRequest('writeMemory', { memoryReference: 'phys:0x7000', data: Buffer.from([1, 2, 3]).toString('base64') });
    assert.deepEqual([...(await target.readPhysical(0x7000n, 3))], [1, 2, 3]);

    // A write next to the watched bytes continues; one into them stops.
    await client.continueRequest({ threadId: entry.body.threadId! });
    target.states[0].regs.rdi = 0x5000n;
    assert.equal(await target.guestAccess(0, 0x5000n, PAGE_W), 'continue');
    const stopped = client.waitForEvent('stopped');
    target.states[0].regs.rdi = 0x5008n;
    const reply = target.guestAccess(0, 0x5008n, PAGE_W);
    const stop = (await stopped) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'data breakpoint');
    assert.match(stop.body.description ?? '', /write of 8 bytes at gva 0x5008/);
    const stats = await client.evaluateRequest({ expression: '.stats', context: 'repl' });
    assert.match(stats.body.result, /filtered without a stop: 1\b/);

    await client.disconnectRequest({});
    assert.equal(await reply, 'continue', 'detach lets the stopped vCPU go on');
    assert.equal(target.access.has(0x5000n), false, 'detach lifts the watchpoint restriction');
    assert.equal(target.pfEnabled.size, 0);
    assert.equal(target.closed, true);
  } finally {
    await adapter.stop();
  }
});

test('a slow entry PAUSE: attach answers once the vCPU is held, and configurationDone runs it without a stop', async () => {
  const target = new FakeTarget(1);
  target.pauseDelayMs = 150; // a loaded host: the PAUSE event comes well after the PAUSE_VCPU reply
  const adapter = await startInProcessAdapter({ connector: async () => ({ accept: async () => target, close: async () => undefined }) });
  const client = adapter.client;
  try {
    const stops: DebugProtocol.StoppedEvent[] = [];
    client.on('stopped', (e: DebugProtocol.StoppedEvent) => stops.push(e));
    await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
    await client.attachRequest({ listen: 'unix:/tmp/kvmi-fake-unused.sock' } as DebugProtocol.AttachRequestArguments);
    assert.ok(target.log.includes('event pause vcpu0'), `attach answered before the entry stop arrived: ${target.log.join(', ')}`);
    await client.configurationDoneRequest();
    for (let i = 0; i < 100 && !target.isRunning(0); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(target.isRunning(0), true, `vCPU 0 stayed paused: ${target.log.join(', ')}`);
    assert.deepEqual(stops, [], 'no stop was asked for');
  } finally {
    await adapter.stop();
  }
});
