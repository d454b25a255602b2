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

test('selftest guest with KVMI intercepts: the event sequence of the KVMI selftest actions', (t) => {
  if (reason) { t.skip(reason); return; }
  ensureGuestsBuilt();
  const events: string[] = [];
  const run = bootGuest(guestPath('selftest'), 10_000_000, (cpu) => {
    Object.assign(cpu.intercepts, { breakpoint: true, descriptor: true, hypercall: true, xsetbv: true });
    cpu.intercepts.crWrite.add(4);
  }, (cpu, exit) => {
    const detail = exit.kind === 'cr' ? ` cr${exit.cr} 0x${exit.oldValue.toString(16)}->0x${exit.newValue.toString(16)}`
      : exit.kind === 'descriptor' ? ` ${exit.descriptor}/${exit.write ? 'w' : 'r'}` : exit.kind === 'breakpoint' ? ` len ${exit.insnLen}` : '';
    events.push(exit.kind + detail);
    cpu.resume('continue', exit.kind === 'cr' ? { newValue: exit.newValue } : undefined);
    return true;
  });
  assert.deepEqual(events, [
    'cr cr4 0x0->0x620',        // runtime start-up: PAE, OSFXSR, OSXMMEXCPT
    'descriptor 2/w', 'descriptor 1/w', // runtime: LGDT, LIDT
    'breakpoint len 1',         // step 1: INT3 (CONTINUE re-injects #BP: the guest's trap handler prints it)
    'cr cr4 0x620->0x40620',    // step 2: OSXSAVE on
    'descriptor 2/r', 'descriptor 2/w', // step 3: SGDT + LGDT
    'hypercall',                // step 4: the agent hypercall (CONTINUE returns 0, no #UD)
    'xsetbv',                   // step 7: XCR0 written back unchanged still raises the event
  ]);
  assert.match(run.stdout, /step 1: int3\ntrap: vector 3 \(#BP\)\nstep 2:/);
  assert.match(run.stdout, /step 4: agent hypercall\nstep 5:/);
  assert.match(run.stdout, /selftest: done\n$/);
  assert.equal(run.exitCode, 0);
});
