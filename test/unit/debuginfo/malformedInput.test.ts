// Malformed guest images: specific defects raise the matching DebugInfoError kind, and files cut
// or corrupted at pseudo-random points never escape as an untyped exception from any query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DebugInfo, DebugInfoError, memoryTouchedByLine, type DebugInfoErrorKind } from '../../../src/dap/debuginfo/index';
import { buildFixture } from './support/toolchain';

function expectKind(kind: DebugInfoErrorKind, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof DebugInfoError && e.kind === kind && !e.unexpected, `expected DebugInfoError(${kind})`);
}

/** Runs every query the adapter and language server make; returns the typed error, if any. */
async function exercise(bytes: Uint8Array): Promise<DebugInfoError | undefined> {
  try {
    const info = DebugInfo.fromBytes(bytes);
    info.symbols.lookupAddress(0x1139n);
    info.symbols.search('a');
    if (info.hasDwarf) {
      const light = DebugInfo.fromBytes(bytes); // the language server's path: declarations scan, then lines
      void light.declarations.variables.length;
      light.lines.lookupAddress(0x1139n);
      const program = info.program;
      program.globalAt(0x4020n);
      info.lines.lookupAddress(0x1139n);
      for (const s of program.subprograms) info.lines.addressesForLine('sample.c', s.declLine ?? 1);
      memoryTouchedByLine(info, 'sample.c', 30);
    }
    await info.unwinder.backtrace({ rip: 0x1139n, rsp: 0x7000n, rbp: 0x7100n }, () => 0x1140n, 4);
    return undefined;
  } catch (error) {
    if (!(error instanceof DebugInfoError)) throw new Error(`untyped exception: ${(error as Error)?.stack ?? error}`);
    if (error.unexpected) throw new Error(`unexpected internal error surfaced as DebugInfoError: ${error.message}`);
    return error;
  }
}

/** Deterministic pseudo-random sequence (xorshift32), so failures reproduce. */
function random(seed: number): () => number {
  let x = seed;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32; };
}

test('defects map to specific error kinds', () => {
  expectKind('badMagic', () => DebugInfo.fromBytes(new Uint8Array(0)));
  expectKind('badMagic', () => DebugInfo.fromBytes(new TextEncoder().encode('#!/bin/sh\necho not an ELF\n')));
  const header = new Uint8Array(64);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  expectKind('truncated', () => DebugInfo.fromBytes(header.subarray(0, 40)));
  header[4] = 7;
  expectKind('malformed', () => DebugInfo.fromBytes(header));
  expectKind('unreadable', () => DebugInfo.fromFile('/nonexistent/guest.elf'));
});

test('a section table past the end of the file is a badOffset error', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const bytes = new Uint8Array(readFileSync(bin));
  new DataView(bytes.buffer).setBigUint64(0x28, BigInt(bytes.length + 4096), true); // e_shoff
  expectKind('badOffset', () => DebugInfo.fromBytes(bytes));
});

test('a symbol name index outside .strtab is a badStringIndex error', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const bytes = new Uint8Array(readFileSync(bin));
  const symtab = DebugInfo.fromBytes(bytes).elf.section('.symtab')!;
  new DataView(bytes.buffer).setUint32(symtab.offset + 24 * 3, 0x7fffffff, true); // st_name of entry 3
  expectKind('badStringIndex', () => DebugInfo.fromBytes(bytes).symbolTable);
});

test('truncating the file at 300 random points only ever raises typed errors', async (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O2', ['-g', '-O2']);
  if (!bin) return;
  const bytes = new Uint8Array(readFileSync(bin));
  const next = random(0x5eed);
  const kinds = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const cut = Math.floor(next() * bytes.length);
    const error = await exercise(bytes.slice(0, cut));
    kinds.add(error?.kind ?? 'ok');
  }
  assert.ok(kinds.has('truncated') || kinds.has('badOffset'), `kinds seen: ${[...kinds]}`);
});

test('corrupting bytes inside the DWARF and CFI sections only ever raises typed errors', async (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O2', ['-g', '-O2']);
  if (!bin) return;
  const original = new Uint8Array(readFileSync(bin));
  const elf = DebugInfo.fromBytes(original).elf;
  const targets = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_str', '.debug_line_str', '.debug_loclists',
    '.debug_rnglists', '.eh_frame', '.symtab'].map((n) => elf.section(n)).filter((s) => s !== undefined);
  const next = random(0xc0ffee);
  let failures = 0;
  for (let i = 0; i < 400; i++) {
    const bytes = original.slice();
    const section = targets[i % targets.length];
    for (let k = 0; k < 4; k++) bytes[section.offset + Math.floor(next() * section.size)] = Math.floor(next() * 256);
    if (await exercise(bytes)) failures++;
  }
  assert.ok(failures > 0, 'some corruptions are detected');
});

test('corrupting the relocation and symbol tables of an object file only raises typed errors', async (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O2.o', ['-c', '-g', '-O2']);
  if (!bin) return;
  const original = new Uint8Array(readFileSync(bin));
  const elf = DebugInfo.fromBytes(original).elf;
  const targets = elf.sections.filter((s) => s.name.startsWith('.rela.') || s.name === '.symtab');
  assert.ok(targets.length > 2, 'the object has relocation sections');
  const next = random(0xbadc0de);
  for (let i = 0; i < 300; i++) {
    const bytes = original.slice();
    const section = targets[i % targets.length];
    for (let k = 0; k < 3; k++) bytes[section.offset + Math.floor(next() * section.size)] = Math.floor(next() * 256);
    await exercise(bytes);
  }
  for (let i = 0; i < 100; i++) await exercise(original.slice(0, Math.floor(next() * original.length)));
});
