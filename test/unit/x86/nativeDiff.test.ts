// Differential test against the host CPU (see nativeDiff.ts): a fixed seed and a small budget of
// random user-mode instruction sequences must give identical registers, defined flags, XMM
// registers, scratch memory and faults natively and on the emulator. Skips without cc or x86-64.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRunner, fuzz } from './nativeDiff';

test('random user-mode instruction sequences behave as on the host CPU', (t) => {
  const reason = buildRunner();
  if (reason) { t.skip(reason); return; }
  const { failures, faults } = fuzz(20261122, 600);
  assert.ok(faults < 300, `too many faulting cases (${faults}) to be a useful test`);
  assert.deepEqual(failures.slice(0, 15), []);
});
