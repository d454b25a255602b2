// ELF parser and segment loader: accepted layouts and the exact error for each malformed file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfError, parseElf } from '../../../src/vmm/boot/elf';
import { loadGuest } from '../../../src/vmm/boot/loadGuest';
import { buildElf } from './elfBuilder';

const code = new Uint8Array([0xf4, 0xeb, 0xfd]);

function elfError(kind: string, message: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ElfError, `expected ElfError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.message, message);
    return true;
  };
}

test('a well-formed ELF64 yields its entry, load segments and notes', () => {
  const image = parseElf(buildElf({ entry: 0x100010, segments: [{ paddr: 0x100000, data: code, memsz: 0x2000 }], pvhEntry: 0x100020 }));
  assert.equal(image.bits, 64);
  assert.equal(image.entry, 0x100010);
  assert.deepEqual(image.loadSegments.map((s) => [s.paddr, s.filesz, s.memsz]), [[0x100000, 3, 0x2000]]);
  assert.deepEqual(image.notes.map((n) => [n.name, n.type]), [['Xen', 18]]);
});

test('a file without the ELF magic is rejected as not an ELF', () => {
  assert.throws(() => parseElf(new TextEncoder().encode('MZ\x90\x00 not an elf')),
    elfError('notElf', 'not an ELF file: it does not start with 7f 45 4c 46 ("\\x7fELF")'));
});

test('a truncated header names the bytes it needed', () => {
  const full = buildElf({ segments: [{ paddr: 0x100000, data: code }] });
  assert.throws(() => parseElf(full.subarray(0, 40)),
    elfError('truncated', 'truncated ELF file: the ELF header needs bytes 0x0-0x3f, the file has 40 bytes'));
  assert.throws(() => parseElf(full.subarray(0, 80)),
    elfError('truncated', 'truncated ELF file: the program header table (1 entries) needs bytes 0x40-0x77, the file has 80 bytes'));
});

test('a non-x86 machine is rejected', () => {
  assert.throws(() => parseElf(buildElf({ machine: 183, segments: [] })),
    elfError('wrongMachine', 'ELF machine 183 is not x86 (3) or x86-64 (62)'));
});

test('segment data beyond the end of the file is rejected', () => {
  const file = buildElf({ segments: [{ paddr: 0x100000, data: code, filesz: 0x1000 }] });
  assert.throws(() => parseElf(file),
    elfError('segmentBeyondFile', 'segment 0: file bytes 0x78-0x1077 lie beyond the end of the file (123 bytes)'));
});

test('segments overlapping in physical memory are rejected', () => {
  const file = buildElf({ segments: [{ paddr: 0x100000, data: code, memsz: 0x1000 }, { paddr: 0x100800, data: code }] });
  assert.throws(() => parseElf(file),
    elfError('overlappingSegments', 'segments 0 (0x100000-0x100fff) and 1 (0x100800-0x100802) overlap in physical memory'));
});

test('a segment outside guest RAM is rejected when loading', () => {
  const file = buildElf({ segments: [{ paddr: 0x1ff000, data: code, memsz: 0x2000 }], pvhEntry: 0x1ff000 });
  assert.throws(() => loadGuest(file, new Uint8Array(2 << 20)),
    elfError('segmentOutsideRam', 'segment 0 (0x1ff000-0x200fff) lies outside guest RAM (0x0-0x1fffff, 2 MiB)'));
});

test('ELF32 images parse with 32-bit field widths', () => {
  const image = parseElf(buildElf({ bits: 32, entry: 0x100000, segments: [{ paddr: 0x100000, data: code }], pvhEntry: 0x100000 }));
  assert.equal(image.bits, 32);
  assert.equal(image.machine, 3);
  assert.deepEqual(image.loadSegments.map((s) => s.paddr), [0x100000]);
});
