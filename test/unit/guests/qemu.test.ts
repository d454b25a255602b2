// Boots every guest under QEMU TCG, the reference engine, and compares its COM1 output and its
// debug-exit code with guests.json. Skips with the reason when QEMU or gcc is missing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureGuestsBuilt, guestManifest, guestToolchainMissing, qemuMissing, runGuestInQemu } from '../../support/guests';

const missing = guestToolchainMissing() ?? qemuMissing();

before(() => {
  if (!missing) ensureGuestsBuilt();
});

for (const guest of guestManifest()) {
  test(`${guest.name} boots under QEMU TCG with the manifest's output and exit code ${guest.expectedExitCode}`, async (t) => {
    if (missing) return t.skip(missing);
    if (guest.long) return t.skip('runs for seconds; its smaller variant covers the same code');
    const run = await runGuestInQemu(guest.name);
    t.diagnostic(`${guest.name}: ${run.wallMs.toFixed(0)} ms in QEMU`);
    assert.equal(run.timedOut, false, 'finished before the timeout');
    assert.equal(run.stdout, guest.expectedStdout);
    assert.equal(run.exitCode, guest.expectedExitCode, `QEMU status ${run.status}, stderr: ${run.stderr}`);
  });
}
