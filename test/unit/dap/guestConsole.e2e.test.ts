// The guest console through the debug adapter, with the session code, the KVMI client and a real
// VMM: `serial: "terminal"` turns guest output into kvmi/serialOutput events (no stdout output
// events) and passes kvmi/serialInput to the VMM's stdin; attach refuses input with the reason;
// kvmi/engine names the engine the VMM runs.
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { kvmiConnector } from '../../../src/dap/kvmiTarget';
import { CustomEvent, CustomRequest, type EngineEventBody } from '../../../src/dap/protocol/custom';
import { ATTACH_INPUT_MESSAGE, DEBUG_CONSOLE_INPUT_MESSAGE } from '../../../src/dap/session/guestConsole';
import { ensureGuestsBuilt, guestDescription, guestToolchainMissing } from '../../support/guests';
import { repoRoot, vmmEnvironment } from './support/adapterClient';
import { launchGuest, watchOutput } from './support/dapSteps';
import { startInProcessAdapter } from './support/inProcessAdapter';

let skipReason: string | undefined;
before(() => {
  skipReason = guestToolchainMissing();
  if (!skipReason) ensureGuestsBuilt();
});

/** The VMM that takes --introspect: the bundled one once it does, else the test runner of it. */
const vmmScript = () => vmmEnvironment().KVMI_VMM ?? join(repoRoot, 'dist', 'vmm.js');

async function withAdapter(t: TestContext, body: (client: DebugClient) => Promise<void>): Promise<void> {
  if (skipReason) { t.skip(skipReason); return; }
  const adapter = await startInProcessAdapter({ connector: kvmiConnector, vmmScript: vmmScript() });
  adapter.client.defaultTimeout = 30_000;
  try { await body(adapter.client); } finally { await adapter.stop(); }
}

function collect<T>(client: DebugClient, event: string): T[] {
  const bodies: T[] = [];
  client.on(event, (e: DebugProtocol.Event) => bodies.push(e.body as T));
  return bodies;
}

const serialInput = (client: DebugClient, text: string) => client.customRequest(CustomRequest.serialInput, { text });

test('serial "terminal": the greeting arrives as kvmi/serialOutput events and no stdout output event', (t) => withAdapter(t, async (client) => {
  const serial = collect<{ text: string }>(client, CustomEvent.serialOutput);
  const engines = collect<EngineEventBody>(client, CustomEvent.engine);
  const out = watchOutput(client);
  await launchGuest(client, { guest: 'hello', serial: 'terminal' });
  assert.equal(await out.exitCode, 0);
  assert.equal(serial.map((b) => b.text).join(''), guestDescription('hello').expectedStdout);
  assert.equal(out.stdout(), '', 'guest output must not also go to the debug console');
  assert.deepEqual(engines, [{ engine: 'emulator', reason: 'named by the launch configuration' }]);
}));

test('serial "debugConsole" (default): the greeting is stdout output, and input is refused with the fix', (t) => withAdapter(t, async (client) => {
  const serial = collect<{ text: string }>(client, CustomEvent.serialOutput);
  const out = watchOutput(client);
  await (await launchGuest(client, { guest: 'hello', stopOnEntry: true })).firstStop;
  await assert.rejects(serialInput(client, 'x\n'), (e: Error) => e.message === DEBUG_CONSOLE_INPUT_MESSAGE);
  await client.continueRequest({ threadId: 1 });
  assert.equal(await out.exitCode, 0);
  assert.equal(out.stdout(), guestDescription('hello').expectedStdout);
  assert.equal(serial.length, 0);
}));

test('serial "terminal": kvmi/serialInput is written to the VMM (COM1 input) and the guest still ends normally', (t) => withAdapter(t, async (client) => {
  // No test guest reads COM1, so what is checked is that the VMM's stdin accepted the text.
  const out = watchOutput(client);
  await (await launchGuest(client, { guest: 'hello', serial: 'terminal', stopOnEntry: true })).firstStop;
  const response = await serialInput(client, 'ping\n');
  assert.equal(response.success, true);
  await assert.rejects(client.customRequest(CustomRequest.serialInput, { line: 'ping' }), /needs \{ "text": string \}/);
  await client.continueRequest({ threadId: 1 });
  assert.equal(await out.exitCode, 0);
}));

test('attach: kvmi/serialInput is refused, naming why there is no guest input', (t) => withAdapter(t, async (client) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvmi-serial-'));
  try {
    await client.initializeRequest({ adapterID: 'kvmi', pathFormat: 'path' });
    const waiting = client.waitForEvent('output');
    const attached = client.attachRequest({ listen: `unix:${join(dir, 'kvmi.sock')}` } as DebugProtocol.AttachRequestArguments);
    attached.catch(() => undefined); // no VMM connects; the session ends with the test
    await waiting;
    await assert.rejects(serialInput(client, 'x\n'), (e: Error) => e.message === ATTACH_INPUT_MESSAGE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}));

test('engine "auto": kvmi/engine names the engine the VMM chose and its reason', (t) => withAdapter(t, async (client) => {
  const out = watchOutput(client);
  const engine = client.waitForEvent(CustomEvent.engine);
  await launchGuest(client, { guest: 'hello', engine: 'auto' });
  const body = (await engine).body as EngineEventBody;
  assert.match(body.engine, /^(kvm|emulator)$/);
  assert.match(body.reason ?? '', new RegExp(`^auto: ${body.engine}\\b`));
  assert.equal(await out.exitCode, 0);
}));
