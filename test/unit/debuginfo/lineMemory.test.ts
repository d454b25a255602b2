// "Memory this line touches": for each source line, the static-storage accesses found by decoding
// its instructions are compared with objdump's resolved RIP-relative operands, and the marked
// lines report the expected variables with read/write direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo, memoryTouchedByLine, variablesTouchedByLine } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool, BUILDS, fixturesDir, markedLine } from './support/toolchain';

const source = readFileSync(join(fixturesDir, 'sample.c'), 'utf8');
const lineCount = source.split('\n').length;

for (const build of BUILDS) {
  test(`${build.name}: every line's data accesses match objdump's resolved memory operands`, (t) => {
    const bin = buildFixture(t, 'sample.c', build.name, build.flags);
    if (!bin || !requireTools(t, 'objdump')) return;
    const info = DebugInfo.fromFile(bin);
    const objects = info.symbolTable.filter((s) => s.type === 'object' && s.size > 0);
    const inObject = (a: bigint) => objects.some((s) => a >= s.value && a < s.value + BigInt(s.size));
    // objdump -d prints "  11b8:\t89 05 62 2e 00 00 \tmov    %eax,0x2e62(%rip)        # 4020 <counter>".
    const annotated = new Map<bigint, bigint>();
    for (const m of runTool('objdump', ['-d', '--no-show-raw-insn', bin]).matchAll(/^\s*([0-9a-f]+):\s+(\w+)[^\n#]*#\s*([0-9a-f]+)/gm)) {
      if (!m[2].startsWith('lea') && !m[2].startsWith('nop')) annotated.set(BigInt(`0x${m[1]}`), BigInt(`0x${m[3]}`));
    }
    let compared = 0;
    for (let line = 1; line <= lineCount; line++) {
      const spans = info.lines.spansForLine('sample.c', line);
      const expected = [...annotated].filter(([pc, target]) => spans.some((s) => pc >= s.low && pc < s.high) && inObject(target))
        .map(([pc, target]) => `${pc.toString(16)}->${target.toString(16)}`).sort();
      const ours = memoryTouchedByLine(info, 'sample.c', line).map((a) => `${a.instructionAddress.toString(16)}->${a.accessAddress.toString(16)}`).sort();
      assert.deepEqual([...new Set(ours)], expected, `line ${line}`);
      compared += expected.length;
    }
    assert.ok(compared >= 4, `compared ${compared} accesses`);
  });
}

test('-O0: marked lines report the variables they read and write', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O0', ['-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const touched = (tag: string) => variablesTouchedByLine(info, 'sample.c', markedLine(source, tag)).map((a) => [a.name, a.access, a.byteSize]);
  assert.deepEqual(touched('write_counter'), [['counter', 'write', 4]]);
  assert.deepEqual(touched('accumulate_total'), [['hidden_total', 'readWrite', 8]]);
  assert.deepEqual(touched('write_origin'), [['origin', 'write', 16]]);
  const origin = memoryTouchedByLine(info, 'sample.c', markedLine(source, 'write_origin'))[0];
  assert.equal(origin.accessAddress - origin.address, 4n, 'origin.y is 4 bytes into origin');
  assert.equal(origin.accessSize, 4);
  assert.equal(origin.address, info.symbols.lookupName('origin')?.value);
  assert.deepEqual(variablesTouchedByLine(info, 'sample.c', 1), []);
});

test('-O2: the counter store is still found after optimisation', (t) => {
  const bin = buildFixture(t, 'sample.c', 'sample-O2', ['-g', '-O2']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const writes = variablesTouchedByLine(info, 'sample.c', markedLine(source, 'write_counter'));
  assert.deepEqual(writes.map((a) => [a.name, a.access]), [['counter', 'write']]);
});

test('ELF32 (-m32): absolute memory operands are matched to globals too', (t) => {
  const bin = buildFixture(t, 'freestanding.c', 'freestanding-m32', ['-m32', '-fno-pie', '-no-pie', '-nostdlib', '-static', '-g', '-O0']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const text = readFileSync(join(fixturesDir, 'freestanding.c'), 'utf8');
  const accesses = variablesTouchedByLine(info, 'freestanding.c', markedLine(text, 'write_total'));
  assert.deepEqual(accesses.map((a) => [a.name, a.access, a.address]), [['total', 'write', info.symbols.lookupName('total')!.value]]);
});
