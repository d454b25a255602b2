// SymbolIndex on hand-made symbol lists: kernel addresses above 2^53, zero-sized labels,
// symbols sharing a start, a large object spanning others, and duplicate .symtab/.dynsym entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ElfSymbol } from '../../../src/dap/debuginfo/index';
import { SymbolIndex } from '../../../src/dap/debuginfo/symbolIndex';

const KERNEL = 0xffffffff81000000n;

function sym(name: string, value: bigint, size: number, extra: Partial<ElfSymbol> = {}): ElfSymbol {
  return { name, value, size, type: 'func', binding: 'global', visibility: 0, sectionIndex: 1, table: '.symtab', ...extra };
}

test('kernel-half addresses resolve exactly (no precision loss above 2^53)', () => {
  const index = new SymbolIndex([sym('start_kernel', KERNEL + 0x100n, 0x40), sym('do_one_initcall', KERNEL + 0x140n, 0x20)]);
  assert.equal(index.lookupAddress(KERNEL + 0x13fn)?.label, 'start_kernel+0x3f');
  assert.equal(index.lookupAddress(KERNEL + 0x140n)?.label, 'do_one_initcall');
  assert.equal(index.lookupAddress(KERNEL + 0x160n), undefined);
  assert.equal(index.lookupAddress(KERNEL + 0xffn), undefined);
});

test('a label without size matches only its own address; a sized symbol wins at a shared start', () => {
  const index = new SymbolIndex([
    sym('entry_label', 0x1000n, 0, { type: 'notype' }),
    sym('entry', 0x1000n, 0x10),
    sym('loop_label', 0x1008n, 0, { type: 'notype', binding: 'local' }),
  ]);
  assert.equal(index.lookupAddress(0x1000n)?.symbol.name, 'entry');
  assert.equal(index.lookupAddress(0x1008n)?.label, 'entry+0x8', 'the sized enclosing function is preferred over a bare label');
  assert.equal(index.lookupAddress(0x1010n), undefined);
});

test('a large object spanning later symbols is still found, and inner symbols win inside it', () => {
  const index = new SymbolIndex([
    sym('big_table', 0x10000n, 0x10000, { type: 'object' }),
    sym('inner', 0x14000n, 0x10, { type: 'object' }),
    sym('after', 0x30000n, 0x10),
  ]);
  assert.equal(index.lookupAddress(0x1ffffn)?.label, 'big_table+0xffff');
  assert.equal(index.lookupAddress(0x14004n)?.label, 'inner+0x4');
  assert.equal(index.lookupAddress(0x14010n)?.label, 'big_table+0x4010');
  assert.equal(index.lookupAddress(0x20000n), undefined);
});

test('duplicates collapse; lookups by name prefer global over local', () => {
  const index = new SymbolIndex([
    sym('counter', 0x4000n, 4, { type: 'object', binding: 'local' }),
    sym('counter', 0x5000n, 4, { type: 'object' }),
    sym('puts', 0x6000n, 8), sym('puts', 0x6000n, 8, { table: '.dynsym' }),
    sym('', 0x7000n, 4), sym('undefined_import', 0n, 0, { sectionIndex: 0 }),
  ]);
  assert.equal(index.size, 3);
  assert.equal(index.lookupName('counter')?.value, 0x5000n);
  assert.equal(index.byNameAll('counter').length, 2);
  assert.equal(index.lookupName('undefined_import'), undefined);
  assert.deepEqual(index.sortedByName().map((s) => s.name), ['counter', 'counter', 'puts']);
});
