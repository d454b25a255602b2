// The watchpoint story on the heap-overflow example guest, in a real VS Code: a write watch set from
// the line-number menu command before any session (gutter icon, persisted), a launch that carries it,
// a watch on *guard added through "Watch Symbol" while paused, stops with reason "data breakpoint" on
// the lines that write the guard (the last one the overflow in copy_message), RIP in the Registers
// scope equal to the frame's instruction pointer, hit counts in the Watchpoints view, exit code 3.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { KvmiExtensionApi } from '../../../src/extension/extension';
import type { StoredWatchpoint } from '../../../src/extension/watch/storedWatchpoint';
import { WatchpointStore } from '../../../src/extension/watch/watchpointStore';
import { kvmiExtension, report, within, workspaceFolder } from './workspaceFixture';

const launchName = 'KVMI: heap-overflow';
const exampleRoot = join(__dirname, '../../../test/guests');
const mainC = join(exampleRoot, 'heap-overflow/main.c');
/** From test/guests/guests.json: the overflowing statement and the lines that initialise *guard. */
const overflowLine = 28;
const guardAssignLine = 62;

interface Stop { reason: string; threadId: number; text?: string }

/** Records the DAP events of kvmi sessions that the assertions wait for. */
class EventLog implements vscode.DebugAdapterTrackerFactory {
  readonly stops: Stop[] = [];
  exitCode: number | undefined;
  private waiters: (() => void)[] = [];
  createDebugAdapterTracker(): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (m: { type?: string; event?: string; body?: Record<string, unknown> }) => {
        if (m.type !== 'event') return;
        if (m.event === 'stopped') this.stops.push({ reason: String(m.body?.reason), threadId: Number(m.body?.threadId), text: m.body?.text as string | undefined });
        if (m.event === 'exited') this.exitCode = Number(m.body?.exitCode);
        this.waiters.splice(0).forEach((w) => w());
      },
    };
  }
  async until<T>(what: string, probe: () => T | undefined): Promise<T> {
    return within(30_000, what, (async () => {
      for (;;) {
        const value = probe();
        if (value !== undefined) return value;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    })());
  }
}

function heapOverflowLaunch(): vscode.DebugConfiguration | undefined {
  return vscode.workspace.getConfiguration('launch', workspaceFolder()).get<vscode.DebugConfiguration[]>('configurations', [])
    .find((c) => c.name === launchName);
}

async function api(): Promise<KvmiExtensionApi> {
  return await kvmiExtension().activate() as KvmiExtensionApi;
}

async function topFrame(session: vscode.DebugSession, threadId: number) {
  const trace = await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 }) as
    { stackFrames: { id: number; line: number; source?: { path?: string }; instructionPointerReference?: string }[] };
  return trace.stackFrames[0];
}

suite('watchpoints on the heap-overflow example', function () {
  this.timeout(120_000);
  let kvmi: KvmiExtensionApi;

  suiteSetup(async function () {
    if (!heapOverflowLaunch()) this.skip(); // the runner adds it only when test/guests/out/heap-overflow.elf is built
    kvmi = await api();
    report(`      extension activate(): ${kvmi.activationMs.toFixed(1)} ms`);
    await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
  });

  teardown(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  });

  test('the line-number command watches the pointer line 62 writes, with a gutter icon, persisted across a reload', async () => {
    await vscode.window.showTextDocument(vscode.Uri.file(mainC));
    const added = await vscode.commands.executeCommand<StoredWatchpoint[]>('kvmi.watchLineWrites',
      { uri: vscode.Uri.file(mainC), lineNumber: guardAssignLine });
    assert.deepEqual(added.map((w) => [w.label, w.size, w.access]), [['guard', 8, 'write']]);
    const icons = kvmi.decorations.decorationsFor(mainC).get('write') ?? [];
    assert.deepEqual(icons.map((d) => d.range.start.line), [guardAssignLine - 1]);
    assert.match((icons[0].hoverMessage as vscode.MarkdownString).value, /guard: writes at 0x[0-9a-f]+\.\.0x[0-9a-f]+ \(8 bytes\), 0 hits/);
    const reloaded = new WatchpointStore(kvmi.persistedState);
    assert.deepEqual(reloaded.all.map((w) => [w.label, w.address, w.source?.line]), [['guard', added[0].address, guardAssignLine]]);
    assert.deepEqual(kvmi.watchpointTree.getChildren().map((n) => n.watchpoint.label), ['guard']);
  });

  test('a launch stops on the writes to guard and *guard, the last on the overflow line, then exits with code 3', async () => {
    const events = new EventLog();
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvmi', events);
    const started = performance.now();
    try {
      assert.ok(await vscode.debug.startDebugging(workspaceFolder(), launchName), 'the launch was refused');
      const session = vscode.debug.activeDebugSession;
      assert.ok(session && session.type === 'kvmi');

      // 1. The stored watch on the pointer guard came with the launch and stops on line 62.
      const first = await events.until('stop on the write to guard', () => events.stops[0]);
      assert.equal(first.reason, 'data breakpoint');
      const frame1 = await topFrame(session, first.threadId);
      assert.ok(frame1.source?.path?.endsWith('heap-overflow/main.c'), `stopped in ${frame1.source?.path}`);
      assert.equal(frame1.line, guardAssignLine);
      await kvmi.sessions.refresh(session);
      assert.equal(kvmi.store.all.find((w) => w.label === 'guard')?.hits, 1, 'hit count of guard in the Watchpoints view');

      // 2. The stop comes before the store completes: step over line 62 so guard holds its value, then
      //    "Watch Symbol" on guard's pointee: 32 bytes at heap_arena + 128.
      await session.customRequest('next', { threadId: first.threadId });
      const stepped = await events.until('stop after stepping over line 62', () => events.stops[1]);
      assert.equal(stepped.reason, 'step');
      const [pointee] = await vscode.commands.executeCommand<StoredWatchpoint[]>('kvmi.watchSymbol', { symbol: 'guard', pointee: true });
      assert.ok(pointee, 'no *guard watchpoint was added');
      assert.equal(pointee.label, '*guard');
      assert.equal(pointee.size, 32);
      assert.ok(pointee.adapterId !== undefined, 'the watch was not sent to the running session');

      // 3. Continue: the stores of lines 63 and 64 that the compiler left after the step (guard->magic,
      //    guard->owner_id), then the overflow on line 28.
      const lines: number[] = [];
      let last: Stop = stepped;
      for (let n = 3; lines.at(-1) !== overflowLine && n <= 7; n++) {
        await session.customRequest('continue', { threadId: last.threadId });
        last = await events.until(`stop ${n}`, () => events.stops[n - 1]);
        assert.equal(last.reason, 'data breakpoint');
        lines.push((await topFrame(session, last.threadId)).line);
      }
      assert.equal(lines.at(-1), overflowLine, `stops on lines ${lines}`);
      assert.ok(lines.slice(0, -1).every((line) => line === 63 || line === 64), `stops on lines ${lines}`);
      const faulting = BigInt(/0x[0-9a-f]+/.exec(last.text ?? '')?.[0] ?? '-1');
      assert.ok(faulting >= BigInt(pointee.address) && faulting < BigInt(pointee.address) + 32n, `stop text "${last.text}" is outside *guard`);

      // 4. Registers on screen: the Registers scope's RIP is the frame's instruction pointer.
      const frame = await topFrame(session, last.threadId);
      assert.ok(frame.source?.path?.endsWith('heap-overflow/main.c'));
      const { scopes } = await session.customRequest('scopes', { frameId: frame.id }) as { scopes: { name: string; variablesReference: number }[] };
      const registers = scopes.find((s) => /register/i.test(s.name));
      assert.ok(registers, `no Registers scope among ${scopes.map((s) => s.name)}`);
      const { variables } = await session.customRequest('variables', { variablesReference: registers.variablesReference }) as { variables: { name: string; value: string }[] };
      const rip = variables.find((v) => v.name.toLowerCase() === 'rip');
      assert.ok(rip && frame.instructionPointerReference);
      assert.equal(BigInt(rip.value), BigInt(frame.instructionPointerReference));

      // The first byte past the chunk header that lands in the guard is message byte 64 (guests.json:
      // overflow.firstGuardWriteIndex), so the loop counter i is 64 at this stop.
      const locals = scopes.find((s) => /local/i.test(s.name));
      assert.ok(locals, `no Locals scope among ${scopes.map((s) => s.name)}`);
      const localVariables = (await session.customRequest('variables', { variablesReference: locals.variablesReference }) as { variables: { name: string; value: string }[] }).variables;
      const i = localVariables.find((v) => v.name === 'i');
      assert.ok(i, `no i among ${localVariables.map((v) => v.name)}`);
      assert.equal(Number(BigInt(i.value.split(' ')[0])), 64, `i is ${i.value}`);

      // 5. Hit counts reach the view; the Page Restrictions view lists the watched frames.
      await kvmi.sessions.refresh(session);
      assert.equal(kvmi.store.all.find((w) => w.label === '*guard')?.hits, lines.length);
      const item = kvmi.watchpointTree.getTreeItem({ kind: 'stored', watchpoint: kvmi.store.all.find((w) => w.label === '*guard')! });
      assert.match(String(item.description), new RegExp(`${lines.length} hits?`));
      await events.until('statistics after the stop', () => kvmi.monitor.state?.statistics);
      assert.ok(kvmi.pageTree.getChildren().length >= 1, 'no restricted page listed');

      // A watchpoint the session got some other way (here a direct request) shows in the view too.
      await session.customRequest('kvmi/addWatchpoint', { symbol: 'heap_arena', access: 'read' });
      await kvmi.sessions.refresh(session);
      const sessionOnly = kvmi.watchpointTree.getChildren().filter((n) => n.kind === 'session').map((n) => n.watchpoint.label);
      assert.deepEqual(sessionOnly, ['heap_arena']);

      // 6. The disassembly view opens at the stop.
      await vscode.commands.executeCommand('kvmi.openDisassemblyAtStop');
      await within(10_000, 'the Disassembly tab', (async () => {
        while (!vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => /disassembly/i.test(t.label))) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })());

      // 7. Removing the watch and continuing runs the guest to its end: exit code 3 (guard corrupted).
      await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
      await vscode.commands.executeCommand('kvmi.watchpoints.remove', kvmi.watchpointTree.getChildren().find((n) => n.kind === 'session'));
      assert.deepEqual(kvmi.watchpointTree.getChildren(), []);
      const ended = new Promise<void>((resolve) => { const d = vscode.debug.onDidTerminateDebugSession(() => { d.dispose(); resolve(); }); });
      await session.customRequest('continue', { threadId: last.threadId });
      await within(30_000, 'end of the session', ended);
      assert.equal(events.exitCode, 3);
      report(`      heap-overflow launch to exit, ${events.stops.length} stops (lines 62, step, ${lines.join(", ")}): ${(performance.now() - started).toFixed(0)} ms`);
    } finally {
      tracker.dispose();
      if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    }
  });

  test('a disabled watchpoint stays out of the launch; serial "terminal" opens the guest console terminal', async () => {
    await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
    const [guard] = await vscode.commands.executeCommand<StoredWatchpoint[]>('kvmi.watchLineWrites',
      { uri: vscode.Uri.file(mainC), lineNumber: guardAssignLine });
    await vscode.commands.executeCommand('kvmi.watchpoints.disable', { kind: 'stored', watchpoint: guard });
    assert.equal(kvmi.store.find(guard.key)?.enabled, false);
    const item = kvmi.watchpointTree.getTreeItem({ kind: 'stored', watchpoint: kvmi.store.find(guard.key)! });
    assert.equal(item.checkboxState, vscode.TreeItemCheckboxState.Unchecked);
    const guest = heapOverflowLaunch()!.guest as string;
    assert.deepEqual(kvmi.sessions.launchAttribute(guest), []);

    const events = new EventLog();
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvmi', events);
    try {
      const ended = new Promise<void>((resolve) => { const d = vscode.debug.onDidTerminateDebugSession(() => { d.dispose(); resolve(); }); });
      assert.ok(await vscode.debug.startDebugging(workspaceFolder(),
        { type: 'kvmi', request: 'launch', name: 'heap-overflow on a terminal', guest, serial: 'terminal' }));
      await within(30_000, 'end of the session', ended);
      assert.deepEqual(events.stops, [], 'the disabled watchpoint stopped the guest');
      assert.equal(events.exitCode, 3);
      assert.ok(vscode.window.terminals.some((t) => t.name === 'Guest console: heap-overflow on a terminal'),
        `terminals: ${vscode.window.terminals.map((t) => t.name)}`);
    } finally {
      tracker.dispose();
      vscode.window.terminals.forEach((t) => t.dispose());
      await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
    }
  });
});
