// Function-name breakpoints: for every function of several builds (-O0/-O2, DWARF 4/5), the
// address and line match where gdb places "break <function>" on the same binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo, functionBreakpoint } from '../../../src/dap/debuginfo/index';
import { buildFixture, requireTools, runTool, BUILDS } from './support/toolchain';

const CASES = [
  ...BUILDS.map((b) => ({ source: 'sample.c', ...b })),
  { source: 'unwind.c', name: 'unwind-O0', flags: ['-g', '-O0', '-no-pie', '-fno-pie'] },
  { source: 'unwind.c', name: 'unwind-O2', flags: ['-g', '-O2', '-no-pie', '-fno-pie'] },
  { source: 'inline.c', name: 'inline-O2', flags: ['-g', '-O2'] },
];

for (const c of CASES) {
  test(`${c.name}: "break <function>" lands where gdb puts it`, (t) => {
    const bin = buildFixture(t, c.source, c.name, c.flags);
    if (!bin || !requireTools(t, 'gdb')) return;
    const info = DebugInfo.fromFile(bin);
    const functions = info.program.subprograms.filter((s) => s.ranges.length > 0);
    assert.ok(functions.length >= 2);
    const output = runTool('gdb', ['-batch', '-nx', ...functions.flatMap((s) => ['-ex', `break ${s.name}`]), bin]);
    const placed = [...output.matchAll(/^Breakpoint \d+ at 0x([0-9a-f]+): file (.*), line (\d+)\.$/gm)];
    assert.equal(placed.length, functions.length, output);
    functions.forEach((s, i) => {
      const ours = functionBreakpoint(info, s);
      const [, address, path, line] = placed[i];
      assert.deepEqual([ours?.address, ours?.path, ours?.line], [BigInt(`0x${address}`), path, Number(line)], s.name);
    });
  });
}
