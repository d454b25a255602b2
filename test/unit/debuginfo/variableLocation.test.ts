// Locating variables in the frames of a stack captured from a real run: a local array and a
// parameter of a caller frame are found at addresses that hold the values the program stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo, locateVariable } from '../../../src/dap/debuginfo/index';
import { buildFixture } from './support/toolchain';
import { captureRun, capturedByte, readCaptured } from './support/stackCapture';

for (const opt of ['-O0', '-O2']) {
  test(`${opt}: third()'s buffer holds the byte the program stored, found through the unwound frame`, async (t) => {
    const bin = buildFixture(t, 'unwind.c', `unwind${opt}`, ['-g', opt, '-no-pie', '-fno-pie']);
    if (!bin) return;
    const info = DebugInfo.fromFile(bin);
    const capture = captureRun(bin);
    const readMemory = readCaptured(capture);
    const frames = await info.unwinder.backtrace({ ...capture.registers }, readMemory, 6);
    const third = info.program.subprogramsNamed('third')[0];
    assert.equal(info.program.subprogramAt(frames[1].rip - 1n), third);
    const buffer = third.locals.find((v) => v.name === 'buffer')!;
    const place = await locateVariable(info, buffer, { registers: frames[1], isCaller: true, readMemory });
    assert.equal(place.kind, 'memory');
    if (place.kind !== 'memory') return;
    assert.equal(place.byteSize, 40);
    // main passes argc (1) -> first(1) -> second(2) -> third(4), which stores buffer[4] = 4.
    assert.equal(capturedByte(capture, place.address + 4n), 4);
    if (opt === '-O0') {
      const x = third.parameters.find((v) => v.name === 'x')!;
      const xPlace = await locateVariable(info, x, { registers: frames[1], isCaller: true, readMemory });
      assert.equal(xPlace.kind === 'memory' ? capturedByte(capture, xPlace.address) : undefined, 4);
    }
  });
}

test('a global is located at its fixed address whatever the frame', async (t) => {
  const bin = buildFixture(t, 'unwind.c', 'unwind-O0', ['-g', '-O0', '-no-pie', '-fno-pie']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const sink = info.program.globals.find((g) => g.name === 'sink')!;
  const place = await locateVariable(info, sink, { registers: {}, readMemory: () => undefined });
  assert.deepEqual(place, { kind: 'memory', address: info.symbols.lookupName('sink')!.value, byteSize: 4 });
});

test('-O2: a local folded to a constant is reported as that constant', async (t) => {
  const bin = buildFixture(t, 'inline.c', 'inline-O2', ['-g', '-O2']);
  if (!bin) return;
  const info = DebugInfo.fromFile(bin);
  const scaled = info.program.subprogramsNamed('scaled')[0];
  const factor = scaled.locals.find((v) => v.name === 'factor')!;
  assert.equal(factor.constantValue, 42n);
  const place = await locateVariable(info, factor, { registers: { rip: scaled.low! }, readMemory: () => undefined });
  assert.deepEqual(place, { kind: 'constant', value: 42n });
});
