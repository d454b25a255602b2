// The test guests (test/guests) on the bare CPU through the minimal PVH loader of pvhBoot.ts: the
// output and exit code of each must equal the manifest's (which QEMU TCG produces). Skips when the
// guests cannot be built here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureGuestsBuilt, guestManifest, guestPath, guestToolchainMissing } from '../../support/guests';
import { bootGuest } from './pvhBoot';

const reason = guestToolchainMissing();
// selftest's expected output is QEMU TCG's (#UD for VMCALL); long guests are for benchmarks, and of
// the 2000-round bench variants one (ring 0) is enough here.
const guests = reason ? [] : guestManifest().filter((g) => !g.long && g.name !== 'selftest'
  && !(g.name.startsWith('bench') && g.name !== 'bench-small'));

test('test guests boot on the bare CPU with the manifest output and exit code', (t) => {
  if (reason) { t.skip(reason); return; }
  ensureGuestsBuilt();
  for (const g of guests) {
    const t0 = process.cpuUsage();
    const run = bootGuest(guestPath(g.name));
    const cpuMs = (process.cpuUsage(t0).user / 1000).toFixed(0);
    if (process.env.GUEST_TIMES) console.log(`${g.name}: ${run.cpu.instructions} instructions, ${cpuMs} ms CPU`);
    assert.equal(run.stdout, g.expectedStdout, `${g.name} output`);
    assert.equal(run.exitCode, g.expectedExitCode, `${g.name} exit code`);
  }
});
