// Inline call chains at -O2: for every line-table address of the program, the source frames
// (function, file, line; innermost first) match llvm-addr2line --inlines on the same binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo, sourceFramesAt } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool } from './support/toolchain';

test('-O2: inlined frames at every line-table address match llvm-addr2line -f -i', (t) => {
  const bin = buildFixture(t, 'inline.c', 'inline-O2', ['-g', '-O2']);
  if (!bin || !requireTools(t, 'llvm-addr2line')) return;
  const info = DebugInfo.fromFile(bin);
  const main = info.program.subprogramsNamed('main')[0];
  const addresses = [...new Set(info.lines.tables.flatMap((tb) => tb.rows)
    .filter((r) => !r.endSequence && r.address >= main.low! && r.address < main.high!).map((r) => r.address))];
  const output = runTool('llvm-addr2line', ['-f', '-i', '-e', bin, ...addresses.map((a) => `0x${a.toString(16)}`)]);
  // One block per address: name/position line pairs; llvm-addr2line separates blocks by nothing, so
  // split using the concrete function (main), which always ends a block.
  const lines = output.trim().split('\n');
  const blocks: string[][] = [];
  let current: string[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    current.push(`${lines[i]} ${lines[i + 1].replace(/ \(discriminator \d+\)$/, '')}`);
    if (lines[i] === 'main') { blocks.push(current); current = []; }
  }
  assert.equal(blocks.length, addresses.length);
  let inlinedSeen = 0;
  addresses.forEach((address, i) => {
    const ours = sourceFramesAt(info, address).map((f) => `${f.functionName} ${f.path}:${f.line}`);
    assert.deepEqual(ours, blocks[i], `0x${address.toString(16)}`);
    if (ours.length > 1) inlinedSeen++;
  });
  assert.ok(inlinedSeen > 0, 'some addresses are inside inlined code');
  assert.deepEqual(sourceFramesAt(info, 0n), []);
});
