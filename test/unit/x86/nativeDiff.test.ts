// Differential test against the host CPU (see nativeDiff.ts): a fixed seed and a small budget of
// random user-mode instruction sequences (64-bit and compatibility mode) must give identical
// registers, defined flags, XMM registers, scratch memory and faults natively and on the emulator.
// Skips without cc or x86-64.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRunner, fuzz } from './nativeDiff';

for (const mode of [8, 4] as const) {
  test(`random user-mode instruction sequences behave as on the host CPU (${mode === 8 ? '64-bit' : 'compatibility'} mode)`, (t) => {
    const reason = buildRunner();
    if (reason) { t.skip(reason); return; }
    const { failures, faults } = fuzz(20261122 + mode, 500, mode);
    assert.ok(faults < 250, `too many faulting cases (${faults}) to be a useful test`);
    assert.deepEqual(failures.slice(0, 15), []);
  });
}
