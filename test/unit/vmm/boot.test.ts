// Boot protocols: PVH start info and entry state, ELF64 long-mode entry, raw real-mode images,
// and format detection errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootError } from '../../../src/vmm/boot/bootError';
import { loadGuest } from '../../../src/vmm/boot/loadGuest';
import { buildElf } from './elfBuilder';

const MiB = 1 << 20;
const code = new Uint8Array([0xb0, 0x41, 0xe6, 0xf4]);

test('PVH: segments land at p_paddr, .bss is zeroed, EBX points at a version-1 start info', () => {
  const ram = new Uint8Array(64 * MiB).fill(0xcc);
  const plan = loadGuest(buildElf({ bits: 32, segments: [{ paddr: 0x100000, data: code, memsz: 0x100 }], pvhEntry: 0x100000 }), ram);
  assert.equal(plan.format, 'pvh');
  assert.deepEqual([...ram.subarray(0x100000, 0x100006)], [0xb0, 0x41, 0xe6, 0xf4, 0, 0]);
  assert.equal(ram[0x100100], 0xcc, 'nothing written past p_memsz');
  const v = new DataView(ram.buffer);
  const si = Number(plan.regs.rbx);
  assert.equal(v.getUint32(si, true), 0x336ec578);
  assert.equal(v.getUint32(si + 4, true), 1);
  assert.equal(v.getUint32(si + 12, true), 0, 'no modules');
  const mapAt = Number(v.getBigUint64(si + 40, true));
  const entries = v.getUint32(si + 48, true);
  const map = Array.from({ length: entries }, (_, i) => [
    Number(v.getBigUint64(mapAt + i * 24, true)), Number(v.getBigUint64(mapAt + i * 24 + 8, true)), v.getUint32(mapAt + i * 24 + 16, true)]);
  assert.deepEqual(map, [[0, 0xa0000, 1], [0xa0000, 0x60000, 2], [0x100000, 63 * MiB, 1]]);
});

test('PVH: 32-bit flat protected mode, paging off, at the note entry', () => {
  const plan = loadGuest(buildElf({ bits: 32, entry: 0x100004, segments: [{ paddr: 0x100000, data: code }], pvhEntry: 0x100000 }), new Uint8Array(4 * MiB));
  assert.equal(plan.regs.rip, 0x100000n, 'the note entry wins over e_entry');
  assert.equal(plan.sregs.cr0 & 0x80000001n, 1n);
  assert.equal(plan.sregs.cr4, 0n);
  assert.equal(plan.sregs.efer, 0n);
  for (const seg of [plan.sregs.cs, plan.sregs.ds, plan.sregs.es, plan.sregs.ss]) {
    assert.deepEqual([seg.base, seg.limit, seg.db, seg.g, seg.present], [0n, 0xffffffff, 1, 1, 1]);
  }
  assert.equal(plan.sregs.cs.type & 0x8, 0x8, 'CS is a code segment');
  assert.equal(plan.sregs.ds.type & 0x8, 0, 'DS is a data segment');
});

test('ELF64 without a PVH note enters long mode with identity paging and a stack', () => {
  const ram = new Uint8Array(8 * MiB);
  const plan = loadGuest(buildElf({ entry: 0x200000, segments: [{ paddr: 0x200000, data: code }] }), ram);
  assert.equal(plan.format, 'elf64');
  assert.equal(plan.regs.rip, 0x200000n);
  assert.ok(plan.regs.rsp > 0n);
  assert.equal(plan.sregs.cs.l, 1);
  assert.equal(plan.sregs.efer & 0x500n, 0x500n);
  assert.equal(plan.sregs.cr0 & 0x80000001n, 0x80000001n);
  assert.equal(plan.sregs.cr4 & 0x20n, 0x20n);
  // Walk the tables for 0x200000: PML4[0] -> PDPT[0] -> PD[1] must be a 2 MiB page at 0x200000.
  const v = new DataView(ram.buffer);
  const pdpt = Number(v.getBigUint64(Number(plan.sregs.cr3), true) & ~0xfffn);
  const pd = Number(v.getBigUint64(pdpt, true) & ~0xfffn);
  assert.equal(v.getBigUint64(pd + 8, true), 0x200000n | 0x83n);
});

test('a 32-bit ELF without a PVH note has no boot protocol', () => {
  assert.throws(() => loadGuest(buildElf({ bits: 32, segments: [{ paddr: 0x100000, data: code }] }), new Uint8Array(4 * MiB)),
    (e: unknown) => e instanceof BootError && e.kind === 'noBootProtocol');
});

test('forcing PVH on an image without the note is a specific error', () => {
  assert.throws(() => loadGuest(buildElf({ segments: [{ paddr: 0x100000, data: code }] }), new Uint8Array(4 * MiB), 'pvh'),
    { name: 'BootError', message: 'the ELF file has no PVH entry note (Xen ELF note type 18, XEN_ELFNOTE_PHYS32_ENTRY)' });
});

test('a segment on top of the loader area is refused', () => {
  assert.throws(() => loadGuest(buildElf({ segments: [{ paddr: 0x7000, data: code }], pvhEntry: 0x7000 }), new Uint8Array(4 * MiB)),
    (e: unknown) => e instanceof BootError && e.kind === 'overlapsBootArea');
});

test('raw images load at 0x7c00 and start in real mode at 0000:7c00', () => {
  const ram = new Uint8Array(MiB);
  const plan = loadGuest(code, ram, 'raw');
  assert.deepEqual([...ram.subarray(0x7c00, 0x7c04)], [...code]);
  assert.equal(plan.regs.rip, 0x7c00n);
  assert.deepEqual([plan.sregs.cs.selector, plan.sregs.cs.base], [0, 0n]);
  assert.equal(plan.sregs.cr0 & 1n, 0n, 'real mode');
});

test('a non-ELF file without --format raw explains how to boot it', () => {
  assert.throws(() => loadGuest(code, new Uint8Array(MiB)), /not an ELF file.*use --format raw/);
});
