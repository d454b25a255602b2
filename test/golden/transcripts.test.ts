// Golden DAP transcripts of the main scenarios, over the bundled adapter, a real VMM and the test
// guests: the heap-overflow guard watchpoint, byte precision on pf-write, stepping on hello, and a
// refused configuration.
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ensureGuestsBuilt, guestDescription, guestsDir, guestToolchainMissing } from '../support/guests';
import { adapterMissing, startAdapter } from '../unit/dap/support/adapterClient';
import { evaluate, launchGuest, scopeVariables, topFrame, untilStop, watchOutput } from '../unit/dap/support/dapSteps';
import { GoldenText } from './goldenText';

let skipReason: string | undefined;
before(() => {
  skipReason = adapterMissing() ?? guestToolchainMissing();
  if (!skipReason) ensureGuestsBuilt();
});

async function golden(t: TestContext, name: string, body: (client: DebugClient, g: GoldenText) => Promise<void>): Promise<void> {
  if (skipReason) { t.skip(skipReason); return; }
  const client = await startAdapter();
  const g = new GoldenText(name);
  try { await body(client, g); } finally { await client.stop().catch(() => undefined); }
  const problem = g.check();
  assert.equal(problem, undefined, problem);
}

const frameSummary = (f: DebugProtocol.StackFrame) => ({ name: f.name, source: f.source?.name, line: f.line, ip: f.instructionPointerReference });

test('heap-overflow: a write watchpoint on *guard stops on the overflowing line', (t) => golden(t, 'heap-overflow-guard-watch', async (client, g) => {
  const site = guestDescription('heap-overflow').overflow!;
  const source = join(guestsDir, site.file);
  const out = watchOutput(client);
  const { firstStop } = await launchGuest(client, { guest: 'heap-overflow' }, async () => {
    g.log('setBreakpoints', (await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: site.armLine }] })).body);
  });
  const armed = await firstStop;
  g.log('stopped', armed.body);
  const frame = await topFrame(client, armed.body.threadId!);
  const info = await client.dataBreakpointInfoRequest({ name: '*guard', frameId: frame.id });
  g.log('dataBreakpointInfo *guard', info.body);
  g.log('setDataBreakpoints', (await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] })).body);
  await client.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
  const hit = await untilStop(client, () => client.continueRequest({ threadId: armed.body.threadId! }));
  g.log('stopped', hit.body);
  g.log('stackTrace', (await client.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames.map(frameSummary));
  const top = await topFrame(client, hit.body.threadId!);
  g.log('scopes', (await client.scopesRequest({ frameId: top.id })).body.scopes.map((s) => s.name));
  g.log('Event', Object.fromEntries([...(await scopeVariables(client, top.id, 'Event'))].map(([k, v]) => [k, v.value])));
  g.log('exceptionInfo', (await client.exceptionInfoRequest({ threadId: hit.body.threadId! })).body);
  await client.setDataBreakpointsRequest({ breakpoints: [] });
  await client.continueRequest({ threadId: hit.body.threadId! });
  g.log('exited', { exitCode: await out.exitCode });
  g.log('serial', out.stdout());
}));

test('pf-write: 4 watched bytes in the middle of a page', (t) => golden(t, 'pf-write-byte-precision', async (client, g) => {
  const entry = await (await launchGuest(client, { guest: 'pf-write', stopOnEntry: true })).firstStop;
  g.log('stopped', entry.body);
  const page = BigInt((await evaluate(client, '&test_page')).result);
  const info = await client.dataBreakpointInfoRequest({ name: `0x${(page + 8n).toString(16)}`, asAddress: true, bytes: 4 });
  g.log('dataBreakpointInfo', info.body);
  g.log('setDataBreakpoints', (await client.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] })).body);
  for (let i = 0; i < 2; i++) {
    const stop = await untilStop(client, () => client.continueRequest({ threadId: entry.body.threadId! }));
    g.log('stopped', stop.body);
    g.log('top frame', frameSummary(await topFrame(client, stop.body.threadId!)));
  }
  g.log('kvmi/statistics', (await client.customRequest('kvmi/statistics') as DebugProtocol.Response).body);
}));

test('hello: instruction breakpoint, steps and step out', (t) => golden(t, 'hello-stepping', async (client, g) => {
  const entry = await (await launchGuest(client, { guest: 'hello', stopOnEntry: true })).firstStop;
  g.log('stopped', entry.body);
  const main = (await evaluate(client, 'main')).result;
  g.log('setInstructionBreakpoints', (await client.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: main }] }) as DebugProtocol.Response).body);
  const hit = await untilStop(client, () => client.continueRequest({ threadId: 1 }));
  g.log('stopped', hit.body);
  g.log('top frame', frameSummary(await topFrame(client, 1)));
  for (const step of ['stepIn instruction', 'next', 'next', 'stepOut'] as const) {
    const stop = await untilStop(client, () => step === 'stepOut' ? client.stepOutRequest({ threadId: 1 })
      : step === 'next' ? client.nextRequest({ threadId: 1 }) : client.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    g.log(`${step} -> stopped`, { reason: stop.body.reason, frame: frameSummary(await topFrame(client, 1)) });
  }
}));

test('a launch with a guest that does not exist is refused', (t) => golden(t, 'bad-configuration', async (client, g) => {
  await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
  for (const args of [{ guest: '/nonexistent/guest.elf' }, { guest: join(guestsDir, 'guests.json') }, { guest: join(guestsDir, 'out', 'hello.elf'), memory: 0 }]) {
    const message = await client.launch(args as DebugProtocol.LaunchRequestArguments).then(() => 'accepted', (e: Error) => e.message);
    g.log('launch', { args, message });
  }
}));
