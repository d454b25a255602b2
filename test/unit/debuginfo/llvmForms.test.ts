// DWARF 5 indexed forms that gcc does not emit outside split DWARF: DW_FORM_strx*, addrx (and
// DW_OP_addrx), rnglistx and loclistx, from an llc-compiled module, compared with llvm-dwarfdump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo, locateVariable } from '../../../src/dap/debuginfo/index';
import { buildLlvmFixture, requireTools, runTool } from './support/toolchain';
import { parseDwarfdumpLines } from './support/dwarfdumpParse';

test('strx names, addrx addresses and the rnglistx unit ranges match the symbol table', (t) => {
  const bin = buildLlvmFixture(t, 'llvm_forms.ll', 'llvm-forms');
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const [step, main, counter] = ['step', 'main', 'counter'].map((n) => info.symbols.lookupName(n)!);
  const cu = info.program.compileUnits[0];
  assert.deepEqual([cu.name, cu.compDir, cu.producer], ['llvm_forms.c', '/src', 'hand-written IR']);
  assert.deepEqual(cu.ranges, [
    { low: step.value, high: step.value + BigInt(step.size) },
    { low: main.value, high: main.value + BigInt(main.size) },
  ]);
  assert.deepEqual(info.program.subprograms.map((s) => [s.name, s.low, s.high, s.declLine, s.declFile]), [
    ['step', step.value, step.value + BigInt(step.size), 3, '/src/llvm_forms.c'],
    ['main', main.value, main.value + BigInt(main.size), 9, '/src/llvm_forms.c'],
  ]);
  assert.deepEqual(info.program.globals.map((g) => [g.name, g.address, g.byteSize]), [['counter', counter.value, 4]]);
});

test('the loclistx location list of a parameter matches llvm-dwarfdump, and locates it per pc', async (t) => {
  const bin = buildLlvmFixture(t, 'llvm_forms.ll', 'llvm-forms');
  if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
  const info = DebugInfo.fromFile(bin);
  const text = runTool('llvm-dwarfdump', ['--debug-info', bin]);
  const expected = [...text.matchAll(/\[0x([0-9a-f]+), 0x([0-9a-f]+)\): DW_OP_reg(\d+)/g)]
    .map((m) => [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`), Number(m[3])]);
  assert.ok(expected.length >= 2, 'llvm-dwarfdump printed the location list');
  const x = info.program.subprogramsNamed('step')[0].parameters[0];
  assert.equal(x.name, 'x');
  assert.deepEqual(x.locationList?.map((e) => [e.low, e.high, e.expression[0] - 0x50]), expected);
  const readMemory = () => undefined;
  for (const [low, , register] of expected) {
    const place = await locateVariable(info, x, { registers: { rip: low as bigint, rsp: 0x7000n }, readMemory });
    assert.deepEqual(place, { kind: 'register', register: register === 5 ? 'rdi' : 'rax', byteSize: 4 });
  }
  const after = await locateVariable(info, x, { registers: { rip: expected[expected.length - 1][1] as bigint }, readMemory });
  assert.equal(after.kind, 'unavailable');
});

test('line rows of the llc-built program match llvm-dwarfdump', (t) => {
  const bin = buildLlvmFixture(t, 'llvm_forms.ll', 'llvm-forms');
  if (!bin || !requireTools(t, 'llvm-dwarfdump')) return;
  const rows = DebugInfo.fromFile(bin).program.compileUnits[0].lineTable!.rows
    .map((r) => ({ address: r.address, line: r.line, column: r.column, file: r.file, isStmt: r.isStmt, endSequence: r.endSequence }));
  assert.deepEqual(rows, parseDwarfdumpLines(runTool('llvm-dwarfdump', ['--debug-line', bin])));
});
