// The guest-symbol language server (dist/languageServer.js) in a real VS Code, on the heap-overflow
// example the workspace's launch.json names: the hover on `guard` in main.c gives the address `nm`
// reads from the ELF symbol table and the object's size, its "Watch writes" code lens stores a write
// watchpoint that the next launch stops on (line 62), and an address query in the workspace symbol
// search names the containing function as "main+0x...".
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { KvmiExtensionApi } from '../../../src/extension/extension';
import type { StoredWatchpoint } from '../../../src/extension/watch/storedWatchpoint';
import { kvmiExtension, report, within, workspaceFolder } from './workspaceFixture';

const launchName = 'KVMI: heap-overflow';
const mainC = join(__dirname, '../../../test/guests/heap-overflow/main.c');
/** main.c: `struct guard_object *guard;` and the first statement that writes guard. */
const guardDeclarationLine = 21;
const guardAssignLine = 62;

function heapOverflowGuest(): string | undefined {
  return vscode.workspace.getConfiguration('launch', workspaceFolder()).get<vscode.DebugConfiguration[]>('configurations', [])
    .find((c) => c.name === launchName)?.guest as string | undefined;
}

/** The symbol table as binutils reads it (ELF gABI "Symbol Table"): name -> value and size; undefined without nm. */
function nmSymbols(elf: string): Map<string, { address: bigint; size: number }> | undefined {
  const nm = spawnSync('nm', ['--print-size', elf], { encoding: 'utf8' });
  if (nm.error || nm.status !== 0) return undefined;
  const symbols = new Map<string, { address: bigint; size: number }>();
  for (const line of nm.stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 4) symbols.set(fields[3], { address: BigInt(`0x${fields[0]}`), size: Number.parseInt(fields[1], 16) });
  }
  return symbols;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

/** Polls until the server has indexed the guest and answers a hover on `position` (bounded). */
async function hoverOnceIndexed(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  return within(30_000, 'a hover from the guest-symbol language server', (async () => {
    for (;;) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      const text = hoverText(hovers ?? []);
      if (/address `0x/.test(text)) return text;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })());
}

suite('guest-symbol language server on the heap-overflow example', function () {
  this.timeout(120_000);
  let guest: string;
  let symbols: Map<string, { address: bigint; size: number }>;
  let document: vscode.TextDocument;
  let guardPosition: vscode.Position;
  let kvmi: KvmiExtensionApi;

  suiteSetup(async function () {
    const configured = heapOverflowGuest();
    if (!configured) { report('      skipped: test/guests/out/heap-overflow.elf is not built'); this.skip(); }
    const read = nmSymbols(configured);
    if (!read) { report('      skipped: nm (binutils) is not installed'); this.skip(); }
    guest = configured;
    symbols = read;
    kvmi = await kvmiExtension().activate() as KvmiExtensionApi;
    await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
    document = await vscode.workspace.openTextDocument(vscode.Uri.file(mainC));
    await vscode.window.showTextDocument(document);
    const declaration = document.lineAt(guardDeclarationLine - 1).text;
    const column = declaration.search(/\bguard;/);
    assert.ok(column >= 0, `main.c line ${guardDeclarationLine} no longer declares guard: "${declaration}"`);
    guardPosition = new vscode.Position(guardDeclarationLine - 1, column + 1);
  });

  teardown(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('kvmi.watchpoints.removeAll');
  });

  test('hovering guard in main.c shows the address of the ELF symbol and its size', async () => {
    const started = performance.now();
    const text = await hoverOnceIndexed(document.uri, guardPosition);
    report(`      first hover after opening main.c: ${(performance.now() - started).toFixed(0)} ms`);
    const elfGuard = symbols.get('guard');
    assert.ok(elfGuard, 'nm lists no guard symbol');
    const address = /address `(0x[0-9a-f]+)`, (\d+) bytes?/.exec(text);
    assert.ok(address, `no address in the hover: ${text}`);
    assert.equal(BigInt(address[1]), elfGuard.address);
    assert.equal(Number(address[2]), elfGuard.size);
    assert.equal(elfGuard.size, 8, 'guard is a pointer on x86-64');
    assert.match(text, /\*\*guard\*\*/);
  });

  test('the "Watch writes" lens on guard stores a watchpoint the next launch stops on at line 62, then disconnects', async () => {
    await hoverOnceIndexed(document.uri, guardPosition);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10);
    const onGuard = lenses.filter((l) => l.range.start.line === guardDeclarationLine - 1);
    assert.deepEqual(onGuard.map((l) => l.command?.title), ['Watch writes', 'Watch reads', 'Watch execution']);
    const writes = onGuard[0].command!;
    const added = await vscode.commands.executeCommand<StoredWatchpoint[]>(writes.command, ...(writes.arguments ?? []));
    assert.deepEqual(added.map((w) => [w.label, BigInt(w.address), w.size, w.access]), [['guard', symbols.get('guard')!.address, 8, 'write']]);
    assert.deepEqual(added[0].source, { path: document.uri.fsPath, line: guardDeclarationLine }, 'the gutter icon goes on the declaration');
    assert.deepEqual(kvmi.store.all.map((w) => w.label), ['guard']);
    assert.deepEqual(kvmi.sessions.launchAttribute(guest).length, 1, 'the launch does not carry the lens watchpoint');

    const stops: { reason: string; threadId: number }[] = [];
    let notify = () => {};
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvmi', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (m.type === 'event' && m.event === 'stopped') { stops.push({ reason: String(m.body?.reason), threadId: Number(m.body?.threadId) }); notify(); }
        },
      }),
    });
    try {
      assert.ok(await vscode.debug.startDebugging(workspaceFolder(), launchName), 'the launch was refused');
      const session = vscode.debug.activeDebugSession;
      assert.ok(session && session.type === 'kvmi');
      const stop = await within(30_000, 'stop on the write to guard', new Promise<{ reason: string; threadId: number }>((resolve) => {
        notify = () => resolve(stops[0]);
        if (stops[0]) resolve(stops[0]);
      }));
      assert.equal(stop.reason, 'data breakpoint');
      const trace = await session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 }) as
        { stackFrames: { line: number; source?: { path?: string } }[] };
      assert.ok(trace.stackFrames[0].source?.path?.endsWith('heap-overflow/main.c'), `stopped in ${trace.stackFrames[0].source?.path}`);
      assert.equal(trace.stackFrames[0].line, guardAssignLine);

      const ended = new Promise<void>((resolve) => { const d = vscode.debug.onDidTerminateDebugSession(() => { d.dispose(); resolve(); }); });
      await vscode.debug.stopDebugging(session);
      await within(30_000, 'end of the session after disconnect', ended);
      assert.equal(vscode.debug.activeDebugSession, undefined);
    } finally {
      tracker.dispose();
    }
  });

  test('workspace symbol search for an address inside main finds main+0x...', async () => {
    await hoverOnceIndexed(document.uri, guardPosition);
    const main = symbols.get('main');
    assert.ok(main && main.size > 0x10, 'nm lists no main of more than 16 bytes');
    const query = `0x${(main.address + 0x10n).toString(16)}`;
    const found = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', query);
    const names = found.map((s) => s.name);
    assert.ok(names.includes('main+0x10'), `search for ${query} found ${JSON.stringify(names)}`);
    const hit = found.find((s) => s.name === 'main+0x10')!;
    assert.ok(hit.location.uri.fsPath.endsWith('heap-overflow/main.c'), `main+0x10 points at ${hit.location.uri.fsPath}`);
  });
});
