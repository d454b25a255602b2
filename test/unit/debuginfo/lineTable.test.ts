// DWARF line tables compared row by row with llvm-dwarfdump --debug-line (DWARF 5 and 4, -O0 and
// -O2, ELF64 and ELF32), and the address <-> line queries used for stepping and breakpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool, BUILDS, fixturesDir, markedLine } from './support/toolchain';
import { parseDwarfdumpLines } from './support/dwarfdumpParse';

const CASES = [
  ...BUILDS.map((b) => ({ source: 'sample.c', ...b })),
  { source: 'freestanding.c', name: 'freestanding-m32', flags: ['-m32', '-fno-pie', '-no-pie', '-nostdlib', '-static', '-g', '-O0'] },
];

for (const c of CASES) {
  test(`${c.name}: every line-table row matches llvm-dwarfdump`, (t) => {
    const bin = buildFixture(t, c.source, c.name, [...c.flags]);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const info = DebugInfo.fromFile(bin);
    const oracle = parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin]));
    const tables = info.program.compileUnits.flatMap((cu) => (cu.lineTable ? [cu.lineTable] : [])).sort((a, b) => a.offset - b.offset);
    const ours = tables.flatMap((tb) => tb.rows);
    assert.ok(oracle.length > 10, 'oracle printed rows');
    assert.equal(ours.length, oracle.length, 'row count');
    ours.forEach((row, i) => {
      const o = oracle[i];
      const got = { address: row.address, line: row.line, column: row.column, file: row.file, isStmt: row.isStmt, endSequence: row.endSequence };
      assert.deepEqual(got, o, `row ${i}`);
    });
    assert.equal(tables[0].version, c.name.includes('dwarf4') ? 4 : 5);
  });
}

test('address -> line and line -> addresses agree with the line table at -O0', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
  const info = DebugInfo.fromFile(bin);
  const line = markedLine(readFileSync(join(fixturesDir, 'sample.c'), 'utf8'), 'write_counter');
  const oracle = parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin]));
  const expected = oracle.filter((r) => r.line === line && r.isStmt && !r.endSequence).map((r) => r.address);
  assert.deepEqual(info.lines.addressesForLine('sample.c', line), expected);
  assert.deepEqual(info.lines.addressesForLine('fixtures/sample.c', line), expected, 'path suffix matches');
  assert.deepEqual(info.lines.addressesForLine('other.c', line), [], 'other files do not match');
  const at = info.lines.lookupAddress(expected[0] + 1n);
  assert.equal(at?.line, line);
  assert.equal(at?.path, join(fixturesDir, 'sample.c'));
  assert.equal(info.lines.lookupAddress(0n), undefined);
  const compute = info.symbols.lookupName('compute')!;
  assert.equal(info.lines.lookupAddress(compute.value)?.line, markedLine(readFileSync(join(fixturesDir, 'sample.c'), 'utf8'), 'write_counter') - 6);
});

test('a breakpoint on a line without code moves to the next line that has code', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  // Line 5 is "struct point {": no code; the next line with code is accumulate()'s opening line.
  const accumulateLine = info.program.subprogramsNamed('accumulate')[0].declLine!;
  const resolved = info.lines.resolveBreakpoint('sample.c', 5);
  assert.equal(resolved?.line, accumulateLine);
  assert.deepEqual(resolved?.addresses, info.lines.addressesForLine('sample.c', accumulateLine));
  assert.equal(info.lines.resolveBreakpoint('sample.c', 10_000), undefined);
  assert.ok(info.lines.sourceFiles().includes(join(fixturesDir, 'sample.c')));
});

test('code discarded by --gc-sections (line rows at address 0) is not offered for breakpoints', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-gc', ['-g', '-O0', '-ffunction-sections', '-Wl,--gc-sections']);
  if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
  const info = DebugInfo.fromFile(bin);
  const line = markedLine(readFileSync(join(fixturesDir, 'sample.c'), 'utf8'), 'unused');
  const raw = parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin])).filter((r) => r.line === line);
  assert.ok(raw.length > 0 && raw.every((r) => r.address < 0x100n), 'the table still lists the dropped function near address 0');
  assert.deepEqual(info.lines.addressesForLine('sample.c', line), []);
  assert.equal(info.lines.lookupAddress(raw[0].address), undefined);
  assert.deepEqual(info.program.subprogramsNamed('unused_function'), []);
  assert.equal(info.program.subprogramsNamed('compute').length, 1);
});

for (const build of BUILDS) {
  test(`${build.name}: the step range around each address covers exactly its line's run of rows`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const info = DebugInfo.fromFile(bin);
    const rows = parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin]));
    // One entry per address (the last row there names it), grouped into runs of equal lines.
    const named: Array<{ address: bigint; line: number; end: boolean }> = [];
    for (const r of rows) {
      const last = named[named.length - 1];
      if (last && last.address === r.address && !last.end) named[named.length - 1] = { address: r.address, line: r.line, end: r.endSequence };
      else named.push({ address: r.address, line: r.line, end: r.endSequence });
    }
    let checked = 0;
    for (let i = 0; i < named.length; i++) {
      if (named[i].end || named[i].address < 0x100n) continue;
      let first = i, last = i;
      while (first > 0 && !named[first - 1].end && named[first - 1].line === named[i].line) first--;
      while (!named[last + 1].end && named[last + 1].line === named[i].line) last++;
      const range = info.lines.stepRangeAt(named[i].address);
      assert.deepEqual([range?.low, range?.high, range?.line], [named[first].address, named[last + 1].address, named[i].line], `0x${named[i].address.toString(16)}`);
      checked++;
    }
    assert.ok(checked > 10);
    assert.equal(info.lines.stepRangeAt(0n), undefined);
  });
}
