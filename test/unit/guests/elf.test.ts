// Checks the built guest images themselves: each carries the PVH entry note QEMU and the VMM
// boot from, DWARF line and info sections for source-level debugging, and its watched symbols
// on pages of their own, so a page watch fires only for the intended accesses.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureGuestsBuilt, guestManifest, guestPath, guestToolchainMissing } from '../../support/guests';
import { ElfFile } from './elfFile';

const toolchainMissing = guestToolchainMissing();
const XEN_ELFNOTE_PHYS32_ENTRY = 18;
const PAGE = 4096n;

before(() => {
  if (!toolchainMissing) ensureGuestsBuilt();
});

for (const guest of guestManifest()) {
  test(`${guest.name}: the PVH note gives the 32-bit entry point pvh_start32`, (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    const elf = ElfFile.load(guestPath(guest.name));
    const notes = elf.segmentNotes().filter((n) => n.name === 'Xen' && n.type === XEN_ELFNOTE_PHYS32_ENTRY);
    assert.equal(notes.length, 1);
    assert.equal(notes[0].desc.length, 8);
    const entry = notes[0].desc.readBigUInt64LE(0);
    assert.equal(entry, elf.symbol('pvh_start32')?.value);
    assert.equal(entry, elf.entry);
    assert.ok(entry < 0x100000000n, 'reachable with paging off');
  });

  test(`${guest.name}: carries DWARF .debug_info and .debug_line`, (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    const elf = ElfFile.load(guestPath(guest.name));
    for (const name of ['.debug_info', '.debug_line']) {
      assert.ok((elf.section(name)?.size ?? 0) > 0, `${name} present and not empty`);
    }
  });

  for (const watch of guest.watch ?? []) {
    test(`${guest.name}: watched symbol ${watch.symbol} ${watch.deref ? 'is a pointer' : 'owns its page'}`, (t) => {
      if (toolchainMissing) return t.skip(toolchainMissing);
      const elf = ElfFile.load(guestPath(guest.name));
      const symbol = elf.symbol(watch.symbol);
      assert.ok(symbol, `${watch.symbol} is in the symbol table`);
      if (watch.deref) return assert.equal(symbol.size, 8n);
      assert.equal(symbol.value % PAGE, 0n, 'page aligned');
      const section = elf.sections[symbol.sectionIndex].name;
      assert.equal(section, watch.access === 'x' ? '.page_text' : '.page_data');
      const neighbours = elf.symbols().filter((s) => s.name !== '' && s.name !== watch.symbol && s.sectionIndex !== 0xfff1
        && s.value >= symbol.value && s.value < symbol.value + PAGE);
      assert.deepEqual(neighbours.map((s) => s.name), [], 'no other symbol on the page');
    });
  }
}
