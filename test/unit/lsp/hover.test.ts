// Hover over the LSP protocol on the heap-overflow guest: a global pointer and a static function
// show the address nm reports, size, section and guest page frame; with a session state sent,
// the hover adds the watchpoint's hits, the page restriction and the value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestsDir } from '../../support/guests';
import { guestTestsMissing, guestWorkspace, nmAddress, type GuestWorkspace } from './guestWorkspace';
import { LspTestClient, positionOf } from './lspTestClient';
import { sessionStateNotification, type SessionState } from '../../../src/dap/lsp/protocol';

const missing = guestTestsMissing();
const mainC = join(guestsDir, 'heap-overflow', 'main.c');

interface Hover { contents: { kind: string; value: string } }

describe('hover', { skip: missing }, () => {
  let workspace: GuestWorkspace;
  let client: LspTestClient;
  let uri: string;
  before(async () => {
    workspace = guestWorkspace('heap-overflow');
    client = await LspTestClient.start(workspace.folder);
    uri = await client.open(mainC);
  });
  after(async () => { await client?.stop(); workspace?.remove(); });

  const hoverAt = (needle: string, from = '') =>
    client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(mainC, needle, from) });

  test('a global variable shows its nm address, size, section and page frame', async () => {
    const address = nmAddress(workspace.elf, 'guard');
    const hover = await hoverAt('guard;', 'struct guard_object *guard');
    assert.ok(hover, 'no hover on guard');
    const text = hover.contents.value;
    assert.match(text, /\*\*guard\*\* `struct guard_object \*`: global variable in `heap-overflow.elf`/);
    assert.ok(text.includes(`address \`0x${address.toString(16)}\`, 8 bytes, section \`.bss\``), text);
    assert.ok(text.includes(`gfn 0x${(address >> 12n).toString(16)}`), text);
  });

  test('a use of a static function shows the function\'s code address', async () => {
    const address = nmAddress(workspace.elf, 'copy_message');
    const hover = await hoverAt('copy_message(buffer');
    assert.ok(hover, 'no hover on copy_message');
    assert.ok(hover.contents.value.includes(`function in \`heap-overflow.elf\``), hover.contents.value);
    assert.ok(hover.contents.value.includes(`address \`0x${address.toString(16)}\``), hover.contents.value);
  });

  test('no hover on a word that names nothing in the guest', async () => {
    assert.equal(await hoverAt('destination[i]'), null);
  });

  test('no hover in a C file that no guest was built from, even on a guest symbol\'s name', async () => {
    const other = join(workspace.folder, 'unrelated.c');
    writeFileSync(other, 'int main(void) { return 0; }\n');
    const otherUri = await client.open(other);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: otherUri }, position: { line: 0, character: 5 } }), null);
  });

  test('during a session the hover lists watchpoint hits, page restrictions and the value', async () => {
    const address = nmAddress(workspace.elf, 'guard');
    const gfn = `0x${(address >> 12n).toString(16)}`;
    const state: SessionState = {
      active: true, guest: join(workspace.folder, 'out', 'heap-overflow.elf'),
      watchpoints: [{ symbol: 'guard', address: `0x${address.toString(16)}`, size: 8, access: 'write', hitCount: 2 }],
      restrictions: [{ gfn, read: true, write: false, execute: true }],
      values: [{ symbol: 'guard', address: `0x${address.toString(16)}`, value: '0x104080' }],
    };
    await client.connection.sendNotification(sessionStateNotification, state);
    const text = (await hoverAt('guard;', 'struct guard_object *guard'))!.contents.value;
    assert.ok(text.includes('watchpoint: write'), text);
    assert.ok(text.includes('2 hits'), text);
    assert.ok(text.includes(`gfn ${gfn} r-x`), text);
    assert.ok(text.includes('value: `0x104080`'), text);
    await client.connection.sendNotification(sessionStateNotification, { active: false, watchpoints: [], restrictions: [] });
    const after = (await hoverAt('guard;', 'struct guard_object *guard'))!.contents.value;
    assert.ok(!after.includes('watchpoint'), after);
  });
});
