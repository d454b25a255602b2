// The declarations-only DWARF scan (`info.declarations`) against the full program model
// (`info.program`) on the fixtures and the test guests: the same functions with code and the same
// fixed-address variables, with the same names, addresses, ranges, sizes, types and declaration
// lines; and the line index built from the scan's line tables answers as the model's does.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo, type DeclarationScan, type ProgramModel, type TypeInfo } from '../../../src/dap/debuginfo/index';
import { buildFixture, buildLlvmFixture, BUILDS, fixturesDir, markedLine } from './support/toolchain';
import { ensureGuestsBuilt, guestManifest, guestPath, guestToolchainMissing } from '../../support/guests';

const M32 = ['-m32', '-fno-pie', '-no-pie', '-nostdlib', '-static', '-g', '-O0'];
const FIXTURES = [
  ...BUILDS.map((b) => ({ source: 'sample.c', name: b.name, flags: b.flags })),
  { source: 'inline.c', name: 'inline-O2', flags: ['-g', '-O2'] },
  { source: 'unwind.c', name: 'unwind-O0', flags: ['-g', '-O0', '-no-pie', '-fno-pie'] },
  { source: 'unwind.c', name: 'unwind-O2', flags: ['-g', '-O2', '-no-pie', '-fno-pie'] },
  { source: 'freestanding.c', name: 'freestanding-m32', flags: M32 },
  { source: 'namespaced.cc', name: 'namespaced-O0', flags: ['-g', '-O0', '-c'] },
];

const typeKey = (t: TypeInfo | undefined) => (t ? `${t.kind} ${t.name} ${t.byteSize}` : 'void');

function functionsOf(scan: DeclarationScan): string[] {
  return scan.functions.map((f) => JSON.stringify([f.name, f.external, f.ranges.map((r) => [r.low, r.high].map(String)),
    String(f.low), String(f.high), f.declFile, f.declLine, f.compileUnit.name])).sort();
}

function modelFunctionsOf(program: ProgramModel): string[] {
  return program.subprograms.filter((s) => s.ranges.length > 0).map((s) => JSON.stringify([s.name, s.external,
    s.ranges.map((r) => [r.low, r.high].map(String)), String(s.low), String(s.high), s.declFile, s.declLine, s.compileUnit.name])).sort();
}

function variablesOf(scan: DeclarationScan): string[] {
  return scan.variables.map((v) => JSON.stringify([v.name, v.scope, String(v.address), v.byteSize, typeKey(v.type), v.declFile, v.declLine])).sort();
}

function modelVariablesOf(program: ProgramModel): string[] {
  return program.globals.map((v) => JSON.stringify([v.name, v.scope, String(v.address), v.byteSize, typeKey(v.type), v.declFile, v.declLine])).sort();
}

/** Compares the scan with the model on one ELF; returns the scan for further checks. */
function assertScanMatchesModel(path: string): DeclarationScan {
  const scan = DebugInfo.fromFile(path).declarations;
  const model = DebugInfo.fromFile(path);
  assert.deepEqual(functionsOf(scan), modelFunctionsOf(model.program), 'functions with code');
  assert.deepEqual(variablesOf(scan), modelVariablesOf(model.program), 'fixed-address variables');
  assert.deepEqual(scan.compileUnits.map((cu) => [cu.name, cu.compDir, cu.ranges, cu.lineTable?.rows.length]),
    model.program.compileUnits.map((cu) => [cu.name, cu.compDir, cu.ranges, cu.lineTable?.rows.length]), 'compile units');
  return scan;
}

/** `info.lines` from the scan's line tables answers every span start like the one from the model's. */
function assertLinesMatchModel(path: string): void {
  const fromScan = DebugInfo.fromFile(path).lines;
  const withModel = DebugInfo.fromFile(path);
  void withModel.program;
  const fromModel = withModel.lines;
  assert.equal(fromScan.addressSpans.length, fromModel.addressSpans.length);
  for (const span of fromModel.addressSpans) assert.deepEqual(fromScan.lookupAddress(span.low), fromModel.lookupAddress(span.low));
}

for (const f of FIXTURES) {
  test(`${f.name}: the declarations scan finds what the program model finds`, (t) => {
    const bin = buildFixture(t, f.source, f.name, f.flags);
    if (!bin) return;
    const scan = assertScanMatchesModel(bin);
    assert.ok(scan.functions.length >= 2, `${scan.functions.length} functions found`);
    assertLinesMatchModel(bin);
  });
}

test('sample.c: function statics, file statics and globals with their declaration lines and sizes', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const source = readFileSync(join(fixturesDir, 'sample.c'), 'utf8');
  const info = DebugInfo.fromFile(bin);
  const variables = info.declarations.variables;
  const calls = variables.find((v) => v.name === 'calls');
  assert.equal(calls?.scope, 'static', 'function static "calls"');
  assert.equal(calls?.declLine, markedLine(source, 'static_calls'));
  // gcc names a function static's symbol "calls.0" (or another numeric suffix).
  const symbol = info.symbols.lookupAddress(calls!.address)?.symbol;
  assert.match(symbol?.name ?? '', /^calls\.\d+$/);
  assert.equal(symbol?.value, calls!.address);
  assert.equal(variables.find((v) => v.name === 'hidden_total')?.scope, 'static');
  assert.equal(variables.find((v) => v.name === 'counter')?.scope, 'global');
  for (const v of variables) {
    const symbol = info.symbols.lookupAddress(v.address)?.symbol;
    assert.equal(v.byteSize, symbol?.size, `${v.name} size`);
  }
  const main = info.declarations.functions.find((fn) => fn.name === 'main');
  const mainSymbol = info.symbols.lookupName('main');
  assert.deepEqual([main?.low, main?.high], [mainSymbol?.value, mainSymbol!.value + BigInt(mainSymbol!.size)]);
});

test('llvm forms (strx, addrx, rnglistx, DWARF 5 from llc): the scan matches the program model', (t) => {
  const bin = buildLlvmFixture(t, 'llvm_forms.ll', 'llvm-forms');
  if (!bin) return;
  const scan = assertScanMatchesModel(bin);
  assert.deepEqual(scan.functions.map((fn) => fn.name).sort(), ['main', 'step']);
});

function skipWithoutGuests(t: TestContext): boolean {
  const missing = guestToolchainMissing();
  if (missing) t.skip(missing);
  return missing !== undefined;
}

test('test guests: the declarations scan finds what the program model finds', (t) => {
  if (skipWithoutGuests(t)) return;
  ensureGuestsBuilt();
  let checked = 0;
  for (const guest of guestManifest()) {
    const elf = guestPath(guest.name);
    assertScanMatchesModel(elf);
    checked++;
  }
  assert.ok(checked > 0, 'guests.json lists guests');
});

test('a DIE that uses an undefined abbreviation code is a malformed-input error from the scan', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const section = info.elf.section('.debug_info')!;
  const bytes = new Uint8Array(readFileSync(bin));
  // The unit header is 12 bytes (DWARF 5, 32-bit); the root DIE's abbreviation code follows.
  const rootCode = Number(section.offset) + 12;
  bytes[rootCode] = 0x7f;
  assert.throws(() => DebugInfo.fromBytes(bytes).declarations, (e: Error & { kind?: string }) => e.kind === 'malformed' && /abbreviation code 127/.test(e.message));
});
