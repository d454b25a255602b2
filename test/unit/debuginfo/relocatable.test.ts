// Relocatable objects (gcc -c), as kernel modules are: with relocations applied, strings, line
// rows, subprogram ranges, global addresses and CFI match llvm-dwarfdump/readelf on the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo } from '../../../src/dap/debuginfo/index';
import { unwindRows } from '../../../src/dap/debuginfo/cfi/unwindTable';
import { parseFrameSection } from '../../../src/dap/debuginfo/cfi/frameEntries';
import { buildFixture, requireTools, runTool } from './support/toolchain';
import { parseDwarfdumpInfo, parseDwarfdumpLines, parseReadelfFrames } from './support/dwarfdumpParse';

const OBJECTS = [
  { name: 'sample-O0.o', flags: ['-c', '-g', '-O0'] },
  { name: 'sample-O2.o', flags: ['-c', '-g', '-O2'] },
  { name: 'sample-dwarf4.o', flags: ['-c', '-g', '-gdwarf-4', '-O2'] },
  { name: 'freestanding-m32.o', flags: ['-c', '-g', '-m32', '-O2'], source: 'freestanding.c' },
];

for (const o of OBJECTS) {
  test(`${o.name}: names, line rows, ranges and globals match llvm-dwarfdump after relocation`, (t) => {
    const bin = buildFixture(t, o.source ?? 'sample.c', o.name, o.flags);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const info = DebugInfo.fromFile(bin);
    assert.equal(info.elf.header.type, 1, 'ET_REL');
    const rows = info.program.compileUnits[0].lineTable!.rows
      .map((r) => ({ address: r.address, line: r.line, column: r.column, file: r.file, isStmt: r.isStmt, endSequence: r.endSequence }));
    assert.deepEqual(rows, parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin])));
    const dies = parseDwarfdumpInfo(runTool('llvm-dwarfdump', ['--debug-info', bin]));
    const quoted = (s: string | undefined) => /"([^"]*)"/.exec(s ?? '')?.[1];
    const expectedFunctions = dies.filter((d) => d.tag === 'DW_TAG_subprogram' && d.attrs.has('DW_AT_low_pc'))
      .map((d) => [quoted(d.attrs.get('DW_AT_name')) ?? quoted(d.attrs.get('DW_AT_abstract_origin')), BigInt(d.attrs.get('DW_AT_low_pc')!), BigInt(d.attrs.get('DW_AT_high_pc')!)]);
    const ours = info.program.subprograms.filter((s) => s.ranges.length === 1 && expectedFunctions.some((e) => e[0] === s.name))
      .map((s) => [s.name, s.low, s.high]);
    assert.deepEqual(ours.sort(), expectedFunctions.sort());
    // llvm-dwarfdump does not relocate DW_OP_addr inside expressions; the symbol table is the oracle.
    for (const g of info.program.globals) {
      const symbol = info.symbols.byNameAll(g.name)[0] ?? info.symbols.search(`${g.name}.`)[0];
      assert.equal(g.address, symbol?.value, `${g.name} address`);
    }
    assert.ok(new Set(info.program.globals.map((g) => g.address)).size > 1, 'globals got distinct relocated addresses');
    assert.equal(info.program.compileUnits[0].name.endsWith('.c'), true, 'unit name read through a relocated .debug_str offset');
  });

  test(`${o.name}: .eh_frame rows match readelf after relocation`, (t) => {
    const bin = buildFixture(t, o.source ?? 'sample.c', o.name, o.flags);
    if (!bin || !requireTools(t, 'readelf')) return;
    const info = DebugInfo.fromFile(bin);
    const oracle = parseReadelfFrames(runTool('readelf', ['--debug-dump=frames-interp', bin])).filter((f) => f.rows.length > 0);
    assert.ok(oracle.length > 0);
    // Every text section of an object starts at 0, so FDEs are matched on their whole range.
    const eh = info.elf.section('.eh_frame')!;
    const fdes = parseFrameSection({ kind: '.eh_frame', bytes: info.elf.sectionData(eh), address: 0n,
      littleEndian: true, addressSize: info.elf.addressSize });
    for (const f of oracle) {
      const fde = fdes.find((candidate) => candidate.pcBegin === f.pcBegin && candidate.pcEnd === f.pcEnd);
      assert.ok(fde, `FDE 0x${f.pcBegin.toString(16)}..0x${f.pcEnd.toString(16)}`);
      assert.deepEqual(unwindRows(fde!).map((r) => r.location), f.rows.map((r) => r.location));
    }
  });
}
