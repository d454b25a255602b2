// A guest image in process, on the heap-overflow guest: before its DWARF index arrives, files
// match by STT_FILE symbol and names resolve from the ELF symbol table (no type); after, the
// declaration is the DWARF one (typed, with its line), and a file-static of another file is not
// picked for this file.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { join } from 'node:path';
import { guestsDir } from '../../support/guests';
import { GuestImage } from '../../../src/dap/lsp/guestImage';
import { resolveName } from '../../../src/dap/lsp/symbolResolver';
import { GuestLoadError } from '../../../src/dap/lsp/errors';
import { addr2lineLine, guestTestsMissing, guestWorkspace, nmAddress } from './guestWorkspace';
import { positionOf } from './lspTestClient';

const missing = guestTestsMissing();
const mainC = join(guestsDir, 'heap-overflow', 'main.c');

describe('guest image', { skip: missing }, () => {
  let elf: string;
  before(() => {
    const workspace = guestWorkspace('heap-overflow');
    elf = workspace.elf;
    workspace.remove();
  });

  test('before the DWARF index: file matched by name, symbol from the ELF table without a type', () => {
    const guest = GuestImage.load(elf);
    assert.equal(guest.declarationsReady, false);
    assert.equal(guest.recordedPathOf('/elsewhere/main.c'), 'main.c');
    assert.equal(guest.recordedPathOf('/elsewhere/absent.c'), undefined);
    const [resolved] = resolveName([{ guest, recordedPath: 'main.c' }], 'guard');
    assert.equal(resolved.declaration.address, nmAddress(elf, 'guard'));
    assert.equal(resolved.declaration.typeName, undefined);
  });

  test('after the DWARF index: the declaration with type and line, matched by full path', () => {
    const guest = GuestImage.load(elf);
    guest.indexDeclarationsNow();
    assert.equal(guest.declarationsReady, true);
    assert.equal(guest.recordedPathOf(mainC), mainC);
    assert.equal(guest.recordedPathOf('/other/checkout/test/guests/heap-overflow/main.c'), mainC);
    const [resolved] = resolveName([{ guest, recordedPath: mainC }], 'guard');
    assert.deepEqual([resolved.declaration.typeName, resolved.declaration.declLine, resolved.declaration.size], ['struct guard_object *', positionOf(mainC, 'struct guard_object *guard;').line + 1, 8]);
    assert.ok(guest.declarationsIn(mainC).some((d) => d.name === 'copy_message' && d.kind === 'function'));
  });

  test('address -> source line agrees with addr2line across a function', () => {
    const guest = GuestImage.load(elf);
    assert.equal(guest.lineAt(nmAddress(elf, 'main')), undefined, 'no line before the DWARF index');
    guest.indexDeclarationsNow();
    const main = nmAddress(elf, 'main');
    for (let offset = 0n; offset < 0x100n; offset += 0x1en) {
      const expected = addr2lineLine(elf, main + offset);
      assert.deepEqual(guest.lineAt(main + offset), { path: expected.file, line: expected.line }, `main+0x${offset.toString(16)}`);
    }
  });

  test('a sourceMap maps an editor path to the recorded one and source lines back to local paths', () => {
    const guest = GuestImage.load(elf);
    guest.indexDeclarationsNow();
    guest.sourceMap = { [guestsDir]: '/checkout/guests' };
    assert.equal(guest.recordedPathOf('/checkout/guests/heap-overflow/main.c'), mainC);
    const line = guest.lineAt(nmAddress(elf, 'main'));
    assert.equal(line?.path, '/checkout/guests/heap-overflow/main.c');
  });

  test('a missing or non-ELF file is a GuestLoadError of the matching kind', () => {
    assert.throws(() => GuestImage.load(join(guestsDir, 'no-such.elf')), (e: unknown) => e instanceof GuestLoadError && e.kind === 'missing');
    assert.throws(() => GuestImage.load(mainC), (e: unknown) => e instanceof GuestLoadError && e.kind === 'notElf');
  });
});
