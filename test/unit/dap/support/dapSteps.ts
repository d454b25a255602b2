// DAP client steps shared by the adapter tests, the golden transcripts, the demo and the latency
// benchmark: start a session on a test guest, wait for stops, read registers and memory.
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { guestPath } from '../../../support/guests';

export interface LaunchOptions {
  guest: string;
  stopOnEntry?: boolean;
  watchpoints?: unknown[];
  engine?: 'auto' | 'kvm' | 'emulator';
  serial?: 'debugConsole' | 'terminal';
}

/**
 * initialize -> launch -> (initialized) -> `configure` -> configurationDone. Resolves with the first
 * stop, awaited from before configurationDone so an immediate stop cannot be missed.
 */
export async function launchGuest(client: DebugClient, options: LaunchOptions, configure?: () => Promise<void>): Promise<{ firstStop: Promise<DebugProtocol.StoppedEvent> }> {
  await client.initializeRequest({ adapterID: 'kvmi', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsMemoryReferences: true });
  const initialized = client.waitForEvent('initialized');
  await client.launch({ guest: guestPath(options.guest), engine: options.engine ?? 'emulator', stopOnEntry: options.stopOnEntry ?? false, watchpoints: options.watchpoints ?? [], serial: options.serial } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (configure) await configure();
  const firstStop = nextStop(client);
  firstStop.catch(() => undefined);
  await client.configurationDoneRequest();
  return { firstStop };
}

export async function nextStop(client: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  return (await client.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
}

/** Runs a request that resumes the guest and resolves with the stop that follows it. */
export async function untilStop(client: DebugClient, resume: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stop = nextStop(client);
  stop.catch(() => undefined);
  await resume();
  return stop;
}

export async function topFrame(client: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  return (await client.stackTraceRequest({ threadId })).body.stackFrames[0];
}

/** The variables of the named scope of a frame. */
export async function scopeVariables(client: DebugClient, frameId: number, scope: string): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = (await client.scopesRequest({ frameId })).body.scopes;
  const found = scopes.find((s) => s.name === scope);
  if (!found) throw new Error(`no scope "${scope}" among ${scopes.map((s) => s.name).join(', ')}`);
  const vars = (await client.variablesRequest({ variablesReference: found.variablesReference })).body.variables;
  return new Map(vars.map((v) => [v.name, v]));
}

/** Collects the guest's serial output and the exit code. */
export function watchOutput(client: DebugClient): { stdout: () => string; exitCode: Promise<number> } {
  let text = '';
  client.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') text += e.body.output; });
  const exitCode = client.waitForEvent('exited', 60_000).then((e) => (e as DebugProtocol.ExitedEvent).body.exitCode);
  exitCode.catch(() => undefined); // tests that end the session early never see an exit
  return { stdout: () => text, exitCode };
}

export async function readBytes(client: DebugClient, memoryReference: string, count: number, offset = 0): Promise<Buffer> {
  const r = await client.customRequest('readMemory', { memoryReference, offset, count }) as DebugProtocol.ReadMemoryResponse;
  return Buffer.from(r.body?.data ?? '', 'base64');
}

export async function evaluate(client: DebugClient, expression: string, frameId?: number): Promise<DebugProtocol.EvaluateResponse['body']> {
  return (await client.evaluateRequest({ expression, frameId, context: 'watch' })).body;
}
