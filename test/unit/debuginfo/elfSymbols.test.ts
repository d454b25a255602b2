// ELF container and symbol tables compared with readelf on gcc-built binaries: header fields,
// section headers, .symtab/.dynsym entries, build-id note; and the SymbolIndex lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { DebugInfo, buildId } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool, BUILDS } from './support/toolchain';
import { parseReadelfSymbols } from './support/dwarfdumpParse';

const TYPE_NAMES: Record<string, string> = { notype: 'NOTYPE', object: 'OBJECT', func: 'FUNC', section: 'SECTION', file: 'FILE', common: 'COMMON', tls: 'TLS', ifunc: 'IFUNC' };
const SPECIAL_NDX: Record<number, string> = { 0: 'UND', 0xfff1: 'ABS', 0xfff2: 'COM' };

for (const build of BUILDS) {
  test(`${build.name}: every .symtab and .dynsym entry matches readelf -s`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'readelf')) return;
    const info = DebugInfo.fromFile(bin);
    const text = runTool('readelf', ['-sW', bin]);
    for (const table of ['.symtab', '.dynsym'] as const) {
      const oracle = parseReadelfSymbols(text, table);
      const ours = info.symbolTable.filter((s) => s.table === table);
      assert.equal(ours.length, oracle.length, `${table} entry count`);
      ours.forEach((s, i) => {
        const o = oracle[i];
        // readelf appends the symbol version (from .gnu.version) to .dynsym names: "puts@GLIBC_2.2.5 (2)".
        const printed = o.name.split(' ')[0];
        assert.ok(printed === s.name || printed.startsWith(`${s.name}@`), `${table}[${i + 1}] name ${s.name} vs ${printed}`);
        assert.equal(s.value, o.value, `${s.name} value`);
        assert.equal(s.size, o.size, `${s.name} size`);
        assert.equal(TYPE_NAMES[s.type], o.type, `${s.name} type`);
        assert.equal(s.binding.toUpperCase(), o.bind, `${s.name} binding`);
        assert.equal(SPECIAL_NDX[s.sectionIndex] ?? String(s.sectionIndex), o.ndx, `${s.name} section`);
      });
    }
  });
}

test('ELF header, section headers and build ID match readelf', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin || !requireTools(t, 'readelf')) return;
  const info = DebugInfo.fromFile(bin);
  const header = runTool('readelf', ['-hW', bin]);
  assert.equal(info.elf.header.entry, BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(header)![1]));
  assert.equal(info.elf.header.sectionHeaderCount, Number(/Number of section headers:\s+(\d+)/.exec(header)![1]));
  assert.equal(info.elf.programHeaders.length, Number(/Number of program headers:\s+(\d+)/.exec(header)![1]));
  assert.equal(info.architecture, 'x86_64');
  const sections = runTool('readelf', ['-SW', bin]);
  for (const m of sections.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/gm)) {
    if (m[1] === '0') continue; // the null section has no name; readelf prints its type there
    const s = info.elf.sections[Number(m[1])];
    assert.equal(s.name, m[2]);
    assert.equal(s.address, BigInt(`0x${m[3]}`), `${s.name} address`);
    assert.equal(s.offset, parseInt(m[4], 16), `${s.name} offset`);
    assert.equal(s.size, parseInt(m[5], 16), `${s.name} size`);
  }
  const notes = runTool('readelf', ['-nW', bin]);
  const id = /Build ID: ([0-9a-f]+)/.exec(notes);
  if (id) assert.equal(buildId(info.elf), id[1]); else assert.equal(buildId(info.elf), undefined);
});

test('symbol lookups: by name, by address with offset, and search', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const symbols = DebugInfo.fromFile(bin).symbols;
  const main = symbols.lookupName('main');
  assert.ok(main && main.type === 'func' && main.size > 0x12);
  assert.equal(symbols.lookupAddress(main.value)?.label, 'main');
  assert.equal(symbols.lookupAddress(main.value + 0x12n)?.label, 'main+0x12');
  assert.equal(symbols.lookupAddress(main.value + BigInt(main.size))?.symbol.name === 'main', false, 'one past the end is not main');
  const table = symbols.lookupName('table')!;
  assert.equal(symbols.lookupAddress(table.value + 60n)?.label, 'table+0x3c');
  assert.deepEqual(symbols.search('COMPU').map((s) => s.name), ['compute']);
  const sorted = symbols.sortedByName().map((s) => s.name);
  assert.deepEqual(sorted, [...sorted].sort());
  assert.equal(symbols.lookupAddress(0n), undefined);
});

test('an ELF32 (-m32) build: symbols, globals and their DWARF addresses match readelf', (t) => {
  const bin = buildFixture(t, 'freestanding.c', 'freestanding-m32', ['-m32', '-fno-pie', '-no-pie', '-nostdlib', '-static', '-g', '-O0']);
  if (!bin || !requireTools(t, 'readelf')) return;
  const info = DebugInfo.fromFile(bin);
  assert.equal(info.elf.header.elfClass, 32);
  assert.equal(info.architecture, 'i386');
  const oracle = parseReadelfSymbols(runTool('readelf', ['-sW', bin]), '.symtab');
  assert.deepEqual(info.symbolTable.map((s) => [s.name, s.value, s.size]), oracle.map((o) => [o.name, o.value, o.size]));
  for (const name of ['total', 'pairs']) {
    const symbol = oracle.find((s) => s.name === name)!;
    const global = info.program.globals.find((g) => g.name === name);
    assert.equal(global?.address, symbol.value, `${name} address`);
    assert.equal(global?.byteSize, symbol.size, `${name} size`);
  }
  assert.equal(info.program.globals.find((g) => g.name === 'pairs')?.type?.dimensions?.[0], 3);
});

test('program headers match readelf -l', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin || !requireTools(t, 'readelf')) return;
  const ours = DebugInfo.fromFile(bin).elf.programHeaders;
  const rows = [...runTool('readelf', ['-lW', bin]).matchAll(/^\s+[A-Z_]+\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) ([RWE ]{3}) 0x([0-9a-f]+)$/gm)];
  assert.equal(ours.length, rows.length);
  ours.forEach((p, i) => {
    const [, offset, vaddr, paddr, filesz, memsz, flags, align] = rows[i];
    assert.deepEqual([p.offset, p.virtualAddress, p.physicalAddress, p.fileSize, p.memorySize, p.align],
      [parseInt(offset, 16), BigInt(`0x${vaddr}`), BigInt(`0x${paddr}`), parseInt(filesz, 16), BigInt(`0x${memsz}`), BigInt(`0x${align}`)], `segment ${i}`);
    const expectedFlags = (flags.includes('R') ? 4 : 0) | (flags.includes('W') ? 2 : 0) | (flags.includes('E') ? 1 : 0);
    assert.equal(p.flags, expectedFlags, `segment ${i} flags`);
  });
});

test('zlib-compressed debug sections (gcc -gz) read the same as uncompressed ones', (t) => {
  const plain = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  const compressed = buildFixture(t, 'sample.c', 'sample-gz', ['-g', '-gz=zlib', '-O0']);
  if (!plain || !compressed) return;
  const a = DebugInfo.fromFile(plain), b = DebugInfo.fromFile(compressed);
  assert.notEqual((b.elf.section('.debug_info')!.flags & 0x800n), 0n, '.debug_info is SHF_COMPRESSED');
  const summary = (d: DebugInfo) => ({
    globals: d.program.globals.map((g) => [g.name, g.address, g.byteSize]),
    subprograms: d.program.subprograms.map((s) => [s.name, s.low, s.high]),
    rows: d.lines.tables.flatMap((tb) => tb.rows.map((r) => [r.address, r.line, r.column])),
  });
  assert.deepEqual(summary(b), summary(a));
});

test('a stripped binary still offers .dynsym symbols and CFI, and no DWARF', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin || !requireTools(t, 'strip')) return;
  const stripped = `${bin}.stripped.${process.pid}`;
  runTool('strip', ['-o', stripped, bin]);
  try {
    const info = DebugInfo.fromFile(stripped);
    assert.equal(info.hasDwarf, false);
    assert.equal(info.symbolTable.some((s) => s.table === '.symtab'), false);
    assert.ok(info.symbolTable.some((s) => s.table === '.dynsym' && s.name === 'printf'));
    assert.deepEqual(info.program.subprograms, []);
    assert.equal(info.lines.lookupAddress(info.elf.header.entry), undefined);
    const main = DebugInfo.fromFile(bin).symbols.lookupName('main')!;
    assert.ok(info.unwinder.rowAt(main.value + 4n), '.eh_frame survives strip');
  } finally {
    rmSync(stripped, { force: true });
  }
});
