// The test guests (test/guests) on the bare CPU through the minimal PVH loader of pvhBoot.ts: the
// output and exit code of each must equal the manifest's (which QEMU TCG produces). Skips when the
// guests cannot be built here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureGuestsBuilt, guestManifest, guestPath, guestToolchainMissing } from '../../support/guests';
import { bootGuest, elfSymbol } from './pvhBoot';

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

test('pf-write with its test_page write-protected: one W event per guest store, then the normal output', (t) => {
  if (reason) { t.skip(reason); return; }
  ensureGuestsBuilt();
  let page = 0;
  const events: bigint[] = [];
  const run = bootGuest(guestPath('pf-write'), 10_000_000, (cpu, image) => {
    page = elfSymbol(image, 'test_page') ?? 0;
    cpu.intercepts.pf = true;
    cpu.access[page >>> 12] = 1 | 4; // R|X: writes raise events
    cpu.accessChanged();
  }, (cpu, exit) => {
    if (exit.kind !== 'pf' || exit.access !== 2) return false;
    events.push(exit.gpa);
    cpu.resume('continue');
    return true;
  });
  assert.ok(page > 0, 'test_page symbol');
  assert.equal(run.stdout, guestManifest().find((g) => g.name === 'pf-write')?.expectedStdout);
  for (const gpa of events) assert.equal(Number(gpa) >>> 12, page >>> 12);
  // The guest stores the pattern byte by byte into the first 16 bytes: one event per store.
  const covered = new Set(events.map((g) => Number(g) - page));
  assert.deepEqual([...covered].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  assert.equal(events.length, 16);
  assert.ok(covered.has(0), `events at offsets ${[...covered].join(",")}`);
  if (process.env.GUEST_TIMES) console.log(`pf-write events at offsets ${[...covered].join(",")}`);
});
