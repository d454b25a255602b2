// Call frame information: every unwind row compared with readelf --debug-dump=frames-interp, then
// unwinding a stack captured from a real run (-O0 and -O2, no frame pointer at -O2) back to main,
// and the frame-pointer fallback when no FDE covers the pc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo, dwarfRegisterName } from '../../../src/dap/debuginfo/index';
import { Unwinder } from '../../../src/dap/debuginfo/cfi/unwinder';
import { parseFrameSection } from '../../../src/dap/debuginfo/cfi/frameEntries';
import { unwindRows, type UnwindRow } from '../../../src/dap/debuginfo/cfi/unwindTable';
import { buildFixture, requireTools, runTool, BUILDS } from './support/toolchain';
import { parseReadelfFrames } from './support/dwarfdumpParse';
import { captureRun, readCaptured } from './support/stackCapture';

const CASES = [
  ...BUILDS.map((b) => ({ source: 'sample.c', ...b })),
  { source: 'freestanding.c', name: 'freestanding-m32', flags: ['-m32', '-fno-pie', '-no-pie', '-nostdlib', '-static', '-g', '-O0'] },
  { source: 'sample.c', name: 'sample-debug-frame', flags: ['-g', '-O2', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables'] },
];

/** A row as readelf prints it: "rsp+16" for the CFA, "c-8" for a register saved at CFA-8, "u" when unset. */
function printed(row: UnwindRow, arch: 'x86_64' | 'i386', column: string): string {
  if (column === 'CFA') {
    return row.cfa.kind === 'expression' ? 'exp' : `${dwarfRegisterName(arch, row.cfa.register)}${row.cfa.offset >= 0 ? '+' : ''}${row.cfa.offset}`;
  }
  const number = column === 'ra' ? (arch === 'x86_64' ? 16 : 8) : arch === 'x86_64'
    ? ['rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'].indexOf(column)
    : ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'].indexOf(column);
  const rule = row.registers.get(number);
  if (!rule || rule.kind === 'undefined') return 'u';
  if (rule.kind === 'offset') return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
  if (rule.kind === 'sameValue') return 's';
  if (rule.kind === 'expression') return 'exp';
  if (rule.kind === 'register') return String(dwarfRegisterName(arch, rule.register));
  return rule.kind;
}

for (const c of CASES) {
  test(`${c.name}: CFI rows match readelf --debug-dump=frames-interp`, (t) => {
    const bin = buildFixture(t, c.source, c.name, c.flags);
    if (!bin || !requireTools(t, 'readelf')) return;
    const info = DebugInfo.fromFile(bin);
    const all = parseReadelfFrames(runTool('readelf', ['--debug-dump=frames-interp', bin]));
    const oracle = all.filter((f) => f.rows.length > 0);
    assert.ok(oracle.length >= 1, 'readelf printed FDEs with rows');
    for (const f of all) assert.ok(info.unwinder.fdeFor(f.pcBegin), `an FDE covers 0x${f.pcBegin.toString(16)}`);
    for (const o of oracle) {
      const fde = info.unwinder.fdeFor(o.pcBegin);
      assert.equal(fde?.pcEnd, o.pcEnd, `FDE at 0x${o.pcBegin.toString(16)}`);
      const rows = unwindRows(fde!);
      assert.deepEqual(rows.map((r) => r.location), o.rows.map((r) => r.location), `row locations of FDE 0x${o.pcBegin.toString(16)}`);
      rows.forEach((row, i) => {
        for (const column of ['CFA', ...o.rows[i].registers.keys()]) {
          const expected = column === 'CFA' ? o.rows[i].cfa : o.rows[i].registers.get(column)!;
          assert.equal(printed(row, info.architecture, column), expected, `0x${row.location.toString(16)} ${column}`);
        }
      });
    }
  });
}


for (const opt of ['-O0', '-O2']) {
  test(`unwinding a stack captured from a real run (${opt}) reaches main with the recorded return addresses`, async (t) => {
    const bin = buildFixture(t, 'unwind.c', `unwind${opt}`, ['-g', opt, '-no-pie', '-fno-pie']);
    if (!bin) return;
    const info = DebugInfo.fromFile(bin);
    const capture = captureRun(bin);
    const frames = await info.unwinder.backtrace({ ...capture.registers }, readCaptured(capture), 6);
    const pcs = frames.map((f) => f.rip);
    assert.deepEqual(pcs.slice(1, 5), capture.returns);
    assert.deepEqual(pcs.slice(0, 5).map((pc) => info.symbols.lookupAddress(pc)?.symbol.name),
      ['innermost', 'third', 'second', 'first', 'main']);
    assert.equal(info.lines.lookupAddress(pcs[4] - 1n)?.line, 44, 'the call site in main is line 44');
  });
}

test('without CFI the unwinder follows the frame-pointer chain (-O0)', async (t) => {
  const bin = buildFixture(t, 'unwind.c', 'unwind-O0', ['-g', '-O0', '-no-pie', '-fno-pie']);
  if (!bin) return;
  const capture = captureRun(bin);
  const bare = new Unwinder([], 'x86_64');
  const step = await bare.unwind({ ...capture.registers }, readCaptured(capture));
  assert.equal(step?.method, 'framePointer');
  const frames = await bare.backtrace({ ...capture.registers }, readCaptured(capture), 5);
  assert.deepEqual(frames.slice(1, 5).map((f) => f.rip), capture.returns);
});

test('.debug_frame alone (no .eh_frame) still yields FDEs', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-debug-frame', ['-g', '-O2', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const s = info.elf.section('.debug_frame');
  assert.ok(s, 'gcc emitted .debug_frame');
  const fdes = parseFrameSection({ kind: '.debug_frame', bytes: info.elf.sectionData(s), address: 0n, littleEndian: true, addressSize: 8 });
  const compute = info.symbols.lookupName('compute')!;
  assert.ok(fdes.some((f) => f.pcBegin === compute.value && f.pcEnd === compute.value + BigInt(compute.size)));
});
