// .debug_info decoding compared with llvm-dwarfdump and the symbol table: subprogram ranges,
// global addresses and sizes, frame-base offsets of locals, struct/array types, location lists
// at -O2, and the declaration-line -> (address, size) lookup for watching a variable's memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool, BUILDS, fixturesDir, markedLine } from './support/toolchain';
import { parseDwarfdumpInfo, type OracleDie } from './support/dwarfdumpParse';

const quoted = (text: string | undefined) => /"([^"]*)"/.exec(text ?? '')?.[1];
const nameOf = (d: OracleDie) => quoted(d.attrs.get('DW_AT_name')) ?? quoted(d.attrs.get('DW_AT_abstract_origin')) ?? quoted(d.attrs.get('DW_AT_specification'));
const source = readFileSync(join(fixturesDir, 'sample.c'), 'utf8');

for (const build of BUILDS) {
  test(`${build.name}: subprogram ranges match llvm-dwarfdump`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const info = DebugInfo.fromFile(bin);
    const oracle = parseDwarfdumpInfo(runTool('llvm-dwarfdump', ['--debug-info', bin]))
      .filter((d) => d.tag === 'DW_TAG_subprogram' && d.attrs.has('DW_AT_low_pc'));
    assert.ok(oracle.length >= 2);
    for (const o of oracle) {
      const low = BigInt(o.attrs.get('DW_AT_low_pc')!);
      const high = BigInt(o.attrs.get('DW_AT_high_pc')!);
      const ours = info.program.subprogramAt(low);
      assert.equal(ours?.name, nameOf(o), `subprogram at 0x${low.toString(16)}`);
      assert.deepEqual(ours?.ranges, [{ low, high }], `${nameOf(o)} range`);
    }
    const concrete = info.program.subprograms.filter((s) => s.ranges.length > 0);
    assert.equal(concrete.length, parseDwarfdumpInfo(runTool('llvm-dwarfdump', ['--debug-info', bin]))
      .filter((d) => d.tag === 'DW_TAG_subprogram' && (d.attrs.has('DW_AT_low_pc') || d.attrs.has('DW_AT_ranges'))).length);
  });

  test(`${build.name}: each global's address matches llvm-dwarfdump and its size the symbol table`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const info = DebugInfo.fromFile(bin);
    const oracle = parseDwarfdumpInfo(runTool('llvm-dwarfdump', ['--debug-info', bin]))
      .filter((d) => d.tag === 'DW_TAG_variable' && /^DW_OP_addr 0x/.test(d.attrs.get('DW_AT_location') ?? ''));
    const expected = new Map(oracle.map((d) => [nameOf(d)!, BigInt(d.attrs.get('DW_AT_location')!.slice('DW_OP_addr '.length))]));
    const ours = new Map(info.program.globals.map((g) => [g.name, g.address!]));
    assert.deepEqual(ours, expected);
    for (const g of info.program.globals) {
      const symbol = info.symbols.byNameAll(g.name).find((s) => s.value === g.address)
        ?? info.symbols.lookupAddress(g.address!)?.symbol;
      assert.equal(g.byteSize, symbol?.size, `${g.name} size`);
    }
    assert.equal(info.program.globals.find((g) => g.name === 'hidden_total')?.scope, 'static');
    assert.equal(info.program.globals.find((g) => g.name === 'counter')?.scope, 'global');
  });
}

test('-O0: locals and parameters have the frame-base offsets llvm-dwarfdump prints', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
  const info = DebugInfo.fromFile(bin);
  const oracle = parseDwarfdumpInfo(runTool('llvm-dwarfdump', ['--debug-info', bin]))
    .filter((d) => /DW_TAG_(variable|formal_parameter)/.test(d.tag) && /^DW_OP_fbreg/.test(d.attrs.get('DW_AT_location') ?? ''))
    .map((d) => `${nameOf(d)} ${d.attrs.get('DW_AT_location')!.split(' ')[1]}`).sort();
  const ours = info.program.subprograms.flatMap((s) => [...s.parameters, ...s.locals])
    .flatMap((v) => (v.location?.kind === 'frameBaseOffset' ? [`${v.name} ${v.location.offset}`] : [])).sort();
  assert.deepEqual(ours, oracle);
  const compute = info.program.subprogramsNamed('compute')[0];
  assert.deepEqual(compute.frameBase, { kind: 'callFrameCfa' });
  assert.deepEqual(compute.parameters.map((p) => [p.name, p.type?.name, p.scope]), [['n', 'int', 'parameter']]);
  assert.deepEqual(compute.locals.map((p) => p.name).sort(), ['i', 'sum']);
});

test('struct, array, pointer and typedef-free types carry sizes, members and lengths', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const globals = DebugInfo.fromFile(bin).program.globals;
  const origin = globals.find((g) => g.name === 'origin')!.type!;
  assert.equal(origin.kind, 'struct');
  assert.equal(origin.byteSize, 16);
  assert.deepEqual(origin.members?.map((m) => [m.name, m.offset, m.type?.name, m.type?.byteSize]),
    [['x', 0, 'int', 4], ['y', 4, 'int', 4], ['tag', 8, 'char [8]', 8]]);
  const table = globals.find((g) => g.name === 'table')!.type!;
  assert.deepEqual([table.kind, table.dimensions, table.byteSize, table.target?.name], ['array', [16], 64, 'int']);
  const greeting = globals.find((g) => g.name === 'greeting')!.type!;
  assert.deepEqual([greeting.kind, greeting.byteSize, greeting.target?.kind, greeting.name], ['pointer', 8, 'const', 'const char *']);
});

test('-O2: parameters kept in registers have location lists inside their function', (t) => {
  for (const build of BUILDS.filter((b) => b.name.endsWith('O2'))) {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin) return;
    const compute = DebugInfo.fromFile(bin).program.subprogramsNamed('compute')[0];
    const n = compute.parameters.find((p) => p.name === 'n')!;
    const entries = n.locationList ?? [];
    assert.ok(entries.length > 0, `${build.name}: n has a location list`);
    for (const e of entries) assert.ok(e.low >= compute.low! && e.high <= compute.high! && e.expression.length > 0, `${build.name}: entry inside compute`);
    assert.equal(entries[0].low, compute.low, `${build.name}: first entry starts at the function entry`);
    assert.equal(entries[0].expression[0], 0x55, `${build.name}: n arrives in rdi (DW_OP_reg5)`);
  }
});

test('declaration line -> the address and size of the variable it declares', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const counterSymbol = info.symbols.lookupName('counter')!;
  const counterLine = source.split('\n').findIndex((l) => l.startsWith('int counter')) + 1;
  assert.deepEqual(info.program.variablesDeclaredAt('sample.c', counterLine).map((v) => [v.name, v.address, v.byteSize]),
    [['counter', counterSymbol.value, 4]]);
  const calls = info.program.variablesDeclaredAt('sample.c', markedLine(source, 'static_calls'));
  assert.deepEqual(calls.map((v) => [v.name, v.scope, v.byteSize]), [['calls', 'static', 4]]);
  assert.equal(calls[0].address, info.symbols.byNameAll('calls.0')[0]?.value ?? info.symbols.search('calls')[0].value);
  assert.deepEqual(info.program.variablesDeclaredAt('sample.c', 4), []);
});

for (const build of BUILDS) {
  test(`${build.name}: compile unit ranges (.debug_rnglists / .debug_ranges) match llvm-dwarfdump`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
    const text = runTool('llvm-dwarfdump', ['--debug-info', bin]);
    const unitText = text.slice(text.indexOf('DW_TAG_compile_unit'), text.indexOf('DW_TAG_', text.indexOf('DW_TAG_compile_unit') + 20));
    const rangesAt = unitText.indexOf('DW_AT_ranges');
    const rangesText = rangesAt < 0 ? undefined : unitText.slice(rangesAt, unitText.indexOf('DW_AT_', rangesAt + 12));
    const expected = rangesText
      ? [...rangesText.matchAll(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/g)].map((m) => ({ low: BigInt(`0x${m[1]}`), high: BigInt(`0x${m[2]}`) }))
      : [{ low: BigInt(/DW_AT_low_pc\s+\((0x[0-9a-f]+)\)/.exec(unitText)![1]), high: BigInt(/DW_AT_high_pc\s+\((0x[0-9a-f]+)\)/.exec(unitText)![1]) }];
    assert.deepEqual(DebugInfo.fromFile(bin).program.compileUnits[0].ranges, expected);
    if (build.name.endsWith('O2')) assert.ok(expected.length >= 2, 'at -O2 main sits in .text.startup, so the unit has several ranges');
  });
}

for (const build of BUILDS.filter((b) => !b.name.endsWith('O2'))) {
  test(`${build.name}: enum values and bit-field positions are decoded`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin) return;
    const globals = DebugInfo.fromFile(bin).program.globals;
    const paint = globals.find((g) => g.name === 'paint')!.type!;
    assert.deepEqual([paint.kind, paint.byteSize, paint.enumerators?.map((e) => [e.name, e.value])],
      ['enum', 4, [['RED', 0n], ['GREEN', 5n], ['BLUE', 6n]]]);
    const status = globals.find((g) => g.name === 'status')!.type!;
    assert.deepEqual(status.members?.map((m) => [m.name, m.offset, m.bitSize, m.bitOffset]),
      [['ready', 0, 1, 0], ['mode', 0, 3, 1], ['level', 1, undefined, undefined]]);
  });
}

test('C++: functions and variables inside a namespace, with their mangled linkage names', (t) => {
  const bin = buildFixture(t, 'namespaced.cc', 'namespaced', ['-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const tick = info.program.subprogramsNamed('tick')[0];
  assert.equal(tick?.linkageName, '_ZN4kern4tickEi');
  assert.equal(tick.low, info.symbols.lookupName('_ZN4kern4tickEi')?.value);
  const ticks = info.program.globals.find((g) => g.name === 'ticks');
  assert.equal(ticks?.address, info.symbols.lookupName('_ZN4kern5ticksE')?.value);
  assert.equal(ticks?.byteSize, 4);
});

for (const build of BUILDS.filter((b) => !b.name.endsWith('O2'))) {
  test(`${build.name}: a loop variable is in scope only inside its block`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin) return;
    const info = DebugInfo.fromFile(bin);
    const names = (line: number) => info.program.variablesInScopeAt(info.lines.addressesForLine('sample.c', line)[0]).map((v) => v.name).sort();
    const loopBody = source.split('\n').findIndex((l) => l.includes('table[i & 15] = sum;')) + 1;
    assert.deepEqual(names(loopBody), ['i', 'n', 'sum']);
    assert.deepEqual(names(markedLine(source, 'write_counter')), ['n', 'sum']);
    assert.deepEqual(info.program.variablesInScopeAt(0n), []);
  });
}
