// Symbol search over the LSP protocol on the heap-overflow guest: workspace symbols by name and by
// address ("0x..." -> "main+0x40" on the source line addr2line gives), and the document
// outline of main.c from DWARF.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guestsDir } from '../../support/guests';
import { addr2lineLine, guestTestsMissing, guestWorkspace, nmAddress, type GuestWorkspace } from './guestWorkspace';
import { LspTestClient, positionOf, type Range } from './lspTestClient';

const missing = guestTestsMissing();
const mainC = join(guestsDir, 'heap-overflow', 'main.c');
const FUNCTION = 12, VARIABLE = 13;

interface SymbolInformation { name: string; kind: number; containerName?: string; location: { uri: string; range: Range } }
interface DocumentSymbol { name: string; kind: number; detail?: string; range: Range }

describe('symbols', { skip: missing }, () => {
  let workspace: GuestWorkspace;
  let client: LspTestClient;
  before(async () => {
    workspace = guestWorkspace('heap-overflow');
    client = await LspTestClient.start(workspace.folder);
  });
  after(async () => { await client?.stop(); workspace?.remove(); });

  const search = (query: string) => client.request<SymbolInformation[]>('workspace/symbol', { query });

  test('search by name finds the function at its declaration', async () => {
    const found = await search('copy_mess');
    assert.deepEqual(found.map((s) => s.name), ['copy_message']);
    assert.equal(found[0].kind, FUNCTION);
    assert.equal(found[0].location.uri, pathToFileURL(mainC).toString());
    assert.equal(found[0].location.range.start.line, positionOf(mainC, 'copy_message(char').line);
    assert.ok(found[0].containerName?.includes(`0x${nmAddress(workspace.elf, 'copy_message').toString(16)}`));
  });

  test('search by address inside a function returns symbol+offset on that source line', async () => {
    const main = nmAddress(workspace.elf, 'main');
    const found = await search(`0x${(main + 0x40n).toString(16)}`);
    assert.equal(found.length, 1);
    assert.equal(found[0].name, 'main+0x40');
    const expected = addr2lineLine(workspace.elf, main + 0x40n);
    assert.equal(found[0].location.uri, pathToFileURL(expected.file).toString());
    assert.equal(found[0].location.range.start.line, expected.line - 1);
  });

  test('search by a data address returns the variable', async () => {
    const guard = nmAddress(workspace.elf, 'guard');
    const found = await search(`0x${(guard + 4n).toString(16)}`);
    assert.deepEqual(found.map((s) => [s.name, s.kind]), [['guard+0x4', VARIABLE]]);
  });

  test('an address outside every symbol finds nothing', async () => {
    assert.deepEqual(await search('0xdead0000000'), []);
  });

  test('document symbols of main.c list its functions and globals with addresses', async () => {
    const uri = await client.open(mainC);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const byName = new Map(symbols.map((s) => [s.name, s]));
    assert.equal(byName.get('main')?.kind, FUNCTION);
    assert.equal(byName.get('guard')?.kind, VARIABLE);
    assert.equal(byName.get('message')?.kind, VARIABLE);
    assert.equal(byName.get('guard')?.range.start.line, positionOf(mainC, 'struct guard_object *guard;').line);
    assert.ok(byName.get('guard')?.detail?.startsWith(`0x${nmAddress(workspace.elf, 'guard').toString(16)}, 8 bytes`));
    assert.ok(!byName.has('heap_alloc'), 'heap_alloc is declared in heap.h');
  });
});
