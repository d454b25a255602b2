// End to end: the bundled debug adapter driven over DAP by DebugClient, a real VMM and the test
// guests. Watchpoint stops land on the right source line with the right registers, byte precision
// holds within a page, conditions and hit counts, instruction breakpoints, stepping, memory round
// trips, disassembly counts, exit codes, attach/detach, and configuration errors.
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureGuestsBuilt, guestDescription, guestPath, guestsDir, guestToolchainMissing } from '../../support/guests';
import { adapterMissing, startAdapter, vmmEnvironment } from './support/adapterClient';
import { evaluate, launchGuest, readBytes, untilStop, scopeVariables, topFrame, watchOutput } from './support/dapSteps';

let skipReason: string | undefined;
before(() => {
  skipReason = adapterMissing() ?? guestToolchainMissing();
  if (!skipReason) ensureGuestsBuilt();
});

/** Runs `body` with a fresh adapter, or skips with the reason the environment cannot run it. */
async function withAdapter(t: TestContext, body: (client: DebugClient) => Promise<void>): Promise<void> {
  if (skipReason) { t.skip(skipReason); return; }
  const client = await startAdapter();
  try { await body(client); } finally { await client.stop().catch(() => undefined); }
}

const symbolAddress = async (client: DebugClient, name: string) => BigInt((await evaluate(client, `&${name}`)).result);

test('launch: a write watchpoint on 4 bytes stops at the writing line; the 8 earlier bytes of the page do not stop', (t) => withAdapter(t, async (client) => {
  const out = watchOutput(client);
  const entry = await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true })).firstStop;
  assert.equal(entry.body.reason, 'entry');
  const page = await symbolAddress(client, 'test_page');
  const info = await client.dataBreakpointInfoRequest({ name: `0x${(page + 8n).toString(16)}`, asAddress: true, bytes: 4 });
  const set = await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
  assert.equal(set.body.breakpoints[0].verified, true);
  const stop = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
  assert.equal(stop.body.reason, 'data breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
  assert.match(stop.body.description ?? '', new RegExp(`write of 1 byte at gva 0x${(page + 8n).toString(16)} gpa 0x`));
  const frame = await topFrame(client, stop.body.threadId!);
  assert.equal(frame.name, 'main');
  assert.match(frame.source?.path ?? '', /pf\/pf_write\.c$/);
  assert.equal(frame.line, 20);
  const regs = await scopeVariables(client, frame.id, 'Registers');
  assert.equal(BigInt(regs.get('rip')!.value), BigInt(frame.instructionPointerReference!));
  const stats = await client.customRequest('kvmi/statistics') as DebugProtocol.Response;
  assert.equal(stats.body.filteredAccesses, 8, 'bytes 0..7 were written without a stop');
  await client.setDataBreakpointsRequest({ breakpoints: [] });
  await client.continueRequest({ threadId: stop.body.threadId! });
  assert.equal(await out.exitCode, 0);
  assert.equal(out.stdout(), guestDescription('pf-write').expectedStdout);
}));

test('launch watchpoints: a read watchpoint by symbol stops on the reading line', (t) => withAdapter(t, async (client) => {
  const stop = await (await launchGuest(client, { guest: 'pf-read', watchpoints: [{ symbol: 'test_page', size: 4096, access: 'read' }] })).firstStop;
  assert.equal(stop.body.reason, 'data breakpoint');
  assert.match(stop.body.description ?? '', /^read of \d+ bytes? at gva 0x/);
  const frame = await topFrame(client, stop.body.threadId!);
  assert.match(frame.source?.path ?? '', /pf_read\.c$/);
  const event = await scopeVariables(client, frame.id, 'Event');
  assert.equal(event.get('access')?.value, 'read');
  assert.match(event.get('page restriction')?.value ?? '', /^-wx/);
}));

test('an execute watchpoint stops at the first instruction of the watched function', (t) => withAdapter(t, async (client) => {
  const stop = await (await launchGuest(client, { guest: 'pf-exec', watchpoints: [{ symbol: 'test_page', size: 1, access: 'execute' }] })).firstStop;
  const frame = await topFrame(client, stop.body.threadId!);
  assert.equal(frame.name, 'test_page');
  assert.equal(BigInt(frame.instructionPointerReference!), await symbolAddress(client, 'test_page'));
}));

test('a hit condition and a condition choose the hit that stops', (t) => withAdapter(t, async (client) => {
  const entry = await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true })).firstStop;
  const page = await symbolAddress(client, 'test_page');
  const info = await client.dataBreakpointInfoRequest({ name: `0x${page.toString(16)}`, asAddress: true, bytes: 16 });
  await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write', hitCondition: '3' }] });
  const third = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
  assert.match(third.body.description ?? '', new RegExp(`gva 0x${(page + 2n).toString(16)} `));
  await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write', condition: '($rdx & 0xff) == 0x67' }] });
  const byValue = await untilStop(client, () => client.continueRequest({ threadId: third.body.threadId! }));
  assert.match(byValue.body.description ?? '', new RegExp(`gva 0x${(page + 13n).toString(16)} `), '0x5a + 13 = 0x67');
}));

test('instruction breakpoint, instruction step, line steps over a call, step out', (t) => withAdapter(t, async (client) => {
  const out = watchOutput(client);
  const entry = await (await launchGuest(client, { guest: 'hello', stopOnEntry: true })).firstStop;
  const main = await symbolAddress(client, 'main');
  const set = await client.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${main.toString(16)}` }] }) as DebugProtocol.SetInstructionBreakpointsResponse;
  assert.equal(set.body.breakpoints[0].verified, true);
  const hit = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
  assert.equal(hit.body.reason, 'instruction breakpoint');
  const at = await topFrame(client, hit.body.threadId!);
  assert.equal(BigInt(at.instructionPointerReference!), main);

  const stepped = await untilStop(client, () => client.stepInRequest({ threadId: hit.body.threadId!, granularity: 'instruction' }));
  assert.equal(stepped.body.reason, 'step');
  const after = await topFrame(client, stepped.body.threadId!);
  assert.ok(BigInt(after.instructionPointerReference!) > main && BigInt(after.instructionPointerReference!) < main + 16n);

  await untilStop(client, () => client.nextRequest({ threadId: stepped.body.threadId! }));
  const line = await topFrame(client, stepped.body.threadId!);
  assert.equal(line.name, 'main');
  assert.notEqual(line.line, at.line, 'a line step ends on another line of main');

  let frame = line;
  for (let i = 0; i < 4 && frame.line <= 13; i++) {
    await untilStop(client, () => client.nextRequest({ threadId: hit.body.threadId! }));
    frame = await topFrame(client, hit.body.threadId!);
  }
  assert.equal(frame.name, 'main');
  assert.ok(frame.line > 13, 'stepping over line 13 runs the puts call and stops on a later line of main');
  assert.match(out.stdout(), /^Hello from the hello guest!\n/);

  await untilStop(client, () => client.stepOutRequest({ threadId: hit.body.threadId! }));
  const caller = await topFrame(client, hit.body.threadId!);
  assert.equal(caller.name, 'pvh_start32', 'step out returns to the caller of main');
  assert.equal(out.stdout(), guestDescription('hello').expectedStdout);
}));

test('memory: write then read back, guest-virtual and physical; disassembly returns exact counts', (t) => withAdapter(t, async (client) => {
  await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true })).firstStop;
  const page = await symbolAddress(client, 'test_page');
  const ref = `0x${page.toString(16)}`;
  const memoryEvent = client.waitForEvent('memory');
  await client.customRequest('writeMemory', { memoryReference: ref, offset: 100, data: Buffer.from('kvmi!').toString('base64') });
  await memoryEvent;
  assert.equal((await readBytes(client, ref, 5, 100)).toString(), 'kvmi!');
  const gpa = (await evaluate(client, `&test_page`)).result; // identity-mapped guest
  assert.equal((await readBytes(client, `phys:${gpa}`, 5, 100)).toString(), 'kvmi!');
  const unreadable = await client.customRequest('readMemory', { memoryReference: 'phys:0xfffffffffff000', count: 16 }) as DebugProtocol.ReadMemoryResponse;
  assert.equal(unreadable.body?.unreadableBytes, 16);

  const main = (await evaluate(client, 'main')).result;
  const dis = await client.customRequest('disassemble', { memoryReference: main, instructionOffset: -4, instructionCount: 12 }) as DebugProtocol.DisassembleResponse;
  assert.equal(dis.body?.instructions.length, 12);
  assert.equal(BigInt(dis.body!.instructions[4].address), BigInt(main));
  assert.equal(dis.body!.instructions[4].symbol, 'main');
}));

test('the guest exit code and serial output reach the client (heap-overflow exits 3)', (t) => withAdapter(t, async (client) => {
  const out = watchOutput(client);
  await launchGuest(client, { guest: 'heap-overflow' });
  assert.equal(await out.exitCode, guestDescription('heap-overflow').expectedExitCode);
  assert.equal(out.stdout(), guestDescription('heap-overflow').expectedStdout);
}));

test('attach, stop on a watchpoint, detach: the guest runs on to its normal end', (t) => withAdapter(t, async (client) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvmi-attach-'));
  const socket = join(dir, 'kvmi.sock');
  try {
    await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
    const initialized = client.waitForEvent('initialized');
    const attached = client.attachRequest({ listen: `unix:${socket}`, guest: guestPath('pf-write'), watchpoints: [{ symbol: 'test_page', size: 16, access: 'write' }] } as DebugProtocol.AttachRequestArguments);
    await new Promise((r) => setTimeout(r, 300)); // the adapter is listening once the "Waiting" output appears
    const env = vmmEnvironment();
    const script = env.KVMI_VMM ?? join(__dirname, '..', '..', '..', 'dist', 'vmm.js');
    const vmm = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, 'run', guestPath('pf-write'), '--introspect', `unix:${socket}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    vmm.stdout.on('data', (d) => { stdout += d; });
    const exited = new Promise<number | null>((resolve) => vmm.on('exit', resolve));
    await attached;
    await initialized;
    const stop = await untilStop(client, () => client.configurationDoneRequest());
    assert.equal(stop.body.reason, 'data breakpoint');
    await client.disconnectRequest({});
    assert.equal(await exited, 0);
    assert.equal(stdout, guestDescription('pf-write').expectedStdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}));

test('bad configurations are refused with a specific message before anything starts', (t) => withAdapter(t, async (client) => {
  await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
  const refuse = async (args: Record<string, unknown>, pattern: RegExp) => {
    await assert.rejects(client.launch(args as DebugProtocol.LaunchRequestArguments), pattern);
  };
  await refuse({}, /"guest" is required/);
  await refuse({ guest: '/nonexistent/guest.elf' }, /does not exist/);
  await refuse({ guest: join(__dirname, 'adapter.e2e.test.ts') }, /not an ELF file/);
  await refuse({ guest: guestPath('hello'), engine: 'qemu' }, /"engine" must be one of "auto", "kvm", "emulator"/);
  await refuse({ guest: guestPath('hello'), watchpoints: [{ address: '0x1000' }] }, /"watchpoints\[0\]\.size" is required/);
}));

test('heap-overflow: a guest-physical watchpoint on *guard stops in copy_message at the first guard byte, with its locals', (t) => withAdapter(t, async (client) => {
  const site = guestDescription('heap-overflow').overflow!;
  const source = join(guestsDir, site.file);
  const { firstStop } = await launchGuest(client, { guest: 'heap-overflow' }, async () => {
    await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: site.armLine }] });
  });
  const armed = await firstStop;
  assert.equal(armed.body.reason, 'breakpoint');
  const armFrame = await topFrame(client, armed.body.threadId!);
  const info = await client.dataBreakpointInfoRequest({ name: '*guard', frameId: armFrame.id, mode: 'physical' } as DebugProtocol.DataBreakpointInfoArguments);
  assert.match(info.body.description, /^\*guard \(32 bytes at phys:0x/);
  await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
  await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
  const hit = await untilStop(client, () => client.continueRequest({ threadId: armed.body.threadId! }));
  assert.equal(hit.body.reason, 'data breakpoint');
  const frame = await topFrame(client, hit.body.threadId!);
  assert.equal(frame.name, site.function);
  assert.equal(frame.line, site.line);
  const locals = await scopeVariables(client, frame.id, 'Locals');
  assert.deepEqual([...locals.keys()].sort(), ['destination', 'i', 'length', 'source']);
  assert.equal(BigInt(locals.get('i')!.value.split(' ')[0]), BigInt(site.firstGuardWriteIndex));
  assert.equal(BigInt(locals.get('length')!.value.split(' ')[0]), 81n);
}));

test('two vCPUs: threads list both, a stop pauses both, continue runs the guest to its end', (t) => withAdapter(t, async (client) => {
  const out = watchOutput(client);
  await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
  const initialized = client.waitForEvent('initialized');
  await client.launch({ guest: guestPath('pf-write'), engine: 'emulator', cpus: 2, watchpoints: [{ symbol: 'test_page', size: 1, access: 'write' }] } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  const stop = await untilStop(client, () => client.configurationDoneRequest());
  assert.equal(stop.body.allThreadsStopped, true);
  assert.deepEqual((await client.threadsRequest()).body.threads.map((th) => th.name), ['vCPU 0', 'vCPU 1']);
  await client.continueRequest({ threadId: stop.body.threadId! });
  assert.equal(await out.exitCode, 0);
}));

test('execute breakpoint mode on a function symbol stops at its first instruction', (t) => withAdapter(t, async (client) => {
  const entry = await (await launchGuest(client, { guest: 'pf-exec', stopOnEntry: true })).firstStop;
  const info = await client.dataBreakpointInfoRequest({ name: 'test_page', mode: 'execute' } as DebugProtocol.DataBreakpointInfoArguments);
  assert.ok(info.body.dataId);
  await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
  const stop = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
  assert.match(stop.body.description ?? '', /^execute at 0x/);
  const frame = await topFrame(client, stop.body.threadId!);
  assert.equal(frame.name, 'test_page');
}));

test('custom watchpoint requests: add by declaration line and by address range, list, stop, remove', (t) => withAdapter(t, async (client) => {
  const entry = await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true })).firstStop;
  const byLine = await client.customRequest('kvmi/addWatchpoint', { source: 'pf/pf_write.c', line: 11, size: 1, access: 'write' }) as DebugProtocol.Response;
  assert.equal(byLine.body.watchpoints[0].label, 'test_page');
  const page = BigInt((await evaluate(client, '&test_page')).result);
  await client.customRequest('kvmi/addWatchpoint', { address: `0x${(page + 4n).toString(16)}`, size: 2, access: 'write', logMessage: 'byte {$rdx & 0xff}' }) as DebugProtocol.Response;
  const list = await client.customRequest('kvmi/listWatchpoints') as DebugProtocol.Response;
  assert.deepEqual(list.body.watchpoints.map((w: { label: string; size: number }) => [w.label, w.size]), [['test_page', 1], [`0x${(page + 4n).toString(16)}`, 2]]);
  const stop = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
  assert.deepEqual(stop.body.hitBreakpointIds, [byLine.body.watchpoints[0].id]);
  const removed = await client.customRequest('kvmi/removeWatchpoint', { id: byLine.body.watchpoints[0].id }) as DebugProtocol.Response;
  assert.equal(removed.body.removed, true);
  const logged: string[] = [];
  client.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'console') logged.push(e.body.output); });
  const exited = client.waitForEvent('exited');
  await client.continueRequest({ threadId: stop.body.threadId! });
  await exited;
  assert.deepEqual(logged.filter((l) => l.startsWith('byte ')), ['byte 0x5e\n', 'byte 0x5f\n'], 'the log watchpoint printed its two bytes and did not stop');
}));
