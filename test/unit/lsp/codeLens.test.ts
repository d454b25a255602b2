// Code lenses over the LSP protocol on the heap-overflow guest: the three watch commands sit on
// the declaration line of globals and functions with the nm address and the object's size, and a
// session's active watchpoint adds a hit-count lens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { guestsDir } from '../../support/guests';
import { guestTestsMissing, guestWorkspace, nmAddress, type GuestWorkspace } from './guestWorkspace';
import { LspTestClient, positionOf, type Range } from './lspTestClient';
import { sessionStateNotification, watchCommands, type WatchCommandArguments } from '../../../src/dap/lsp/protocol';

const missing = guestTestsMissing();
const mainC = join(guestsDir, 'heap-overflow', 'main.c');

interface CodeLens { range: Range; command?: { title: string; command: string; arguments?: WatchCommandArguments[] } }

describe('code lenses', { skip: missing }, () => {
  let workspace: GuestWorkspace;
  let client: LspTestClient;
  let uri: string;
  before(async () => {
    workspace = guestWorkspace('heap-overflow');
    client = await LspTestClient.start(workspace.folder);
    uri = await client.open(mainC);
  });
  after(async () => { await client?.stop(); workspace?.remove(); });

  const lenses = () => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });

  test('a global variable gets watch writes/reads/execution on its declaration line', async () => {
    const line = positionOf(mainC, 'struct guard_object *guard;').line;
    const onGuard = (await lenses()).filter((l) => l.command?.arguments?.[0]?.symbol === 'guard');
    assert.deepEqual(onGuard.map((l) => l.command!.title), ['Watch writes', 'Watch reads', 'Watch execution']);
    assert.deepEqual(onGuard.map((l) => l.command!.command), [watchCommands.writes, watchCommands.reads, watchCommands.execution]);
    for (const lens of onGuard) assert.equal(lens.range.start.line, line);
    assert.deepEqual(onGuard[0].command!.arguments![0], {
      symbol: 'guard', address: `0x${nmAddress(workspace.elf, 'guard').toString(16)}`, size: 8, access: 'write',
      guest: join(workspace.folder, 'out', 'heap-overflow.elf'),
      source: { path: mainC, line: line + 1 },
    });
    assert.deepEqual(onGuard.map((l) => l.command!.arguments![0].access), ['write', 'read', 'execute']);
  });

  test('functions and file statics of this file get lenses; other files\' symbols do not', async () => {
    const all = await lenses();
    const symbols = new Set(all.map((l) => l.command?.arguments?.[0]?.symbol));
    for (const name of ['main', 'copy_message', 'message', 'guard']) assert.ok(symbols.has(name), `no lens for ${name}`);
    assert.ok(!symbols.has('heap_init'), 'heap_init is declared in heap.h/heap.c, not main.c');
    const copy = all.find((l) => l.command?.arguments?.[0]?.symbol === 'copy_message')!;
    assert.equal(copy.range.start.line, positionOf(mainC, 'copy_message(char').line);
    assert.equal(copy.command!.arguments![0].address, `0x${nmAddress(workspace.elf, 'copy_message').toString(16)}`);
  });

  test('an active watchpoint shows its hit count above the declaration', async () => {
    const address = `0x${nmAddress(workspace.elf, 'guard').toString(16)}`;
    await client.connection.sendNotification(sessionStateNotification, {
      active: true, guest: join(workspace.folder, 'out', 'heap-overflow.elf'),
      watchpoints: [{ symbol: 'guard', address, size: 8, access: 'write', hitCount: 3 }], restrictions: [],
    });
    const hits = (await lenses()).filter((l) => l.command?.title.includes('hit'));
    assert.deepEqual(hits.map((l) => [l.command!.title, l.range.start.line]),
      [['write watchpoint: 3 hits', positionOf(mainC, 'struct guard_object *guard;').line]]);
  });
});
