// Where the hybrid engine runs guest ring-3 code (src/vmm/kvm/ring3Placement.ts), driven by a fake
// clock: ring 3 that enters the kernel often and runs faster in the software core moves there and
// stays (KVM measured again after each period), compute-bound ring 3 goes back to KVM within the
// time KVM needed for a window, a slower software trial sends it back with doubling waits, and
// rare kernel entries never leave KVM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_PERIOD_MS, Ring3Placement, WINDOW_ENTRIES } from '../../../src/vmm/kvm/ring3Placement';

function placement() {
  let t = 0;
  const p = new Ring3Placement(() => t);
  /** `n` kernel entries `everyMs` apart, each asking first where ring 3 runs. */
  const entries = (n: number, everyMs: number) => {
    for (let i = 0; i < n; i++) { p.ring3InSoftware(); t += everyMs; p.kernelEntered(); }
  };
  /** Kernel entries `everyMs` apart until ring 3 is (`inSoftware`) or is not in software; the time that took. */
  const until = (inSoftware: boolean, everyMs: number) => {
    const from = t;
    while (p.ring3InSoftware() !== inSoftware) {
      if (t - from > 10_000) throw new Error('no change of placement within 10 s');
      t += everyMs;
      p.kernelEntered();
    }
    return t - from;
  };
  return { p, entries, until, advance: (ms: number) => { t += ms; } };
}

test('syscall-heavy ring 3 that is faster in software moves there, stays, and is measured in KVM again after the period', () => {
  const { p, entries, until } = placement();
  entries(WINDOW_ENTRIES, 0.2);                       // 0.2 ms per entry in KVM
  assert.equal(p.ring3InSoftware(), true, 'a trial starts after one fast-entering KVM window');
  entries(WINDOW_ENTRIES, 0.05);                      // the trial: 0.05 ms per entry, faster
  const settled = until(false, 0.05);
  assert.ok(settled >= MIN_PERIOD_MS - 1e-6 && settled <= MIN_PERIOD_MS + 0.1, `settled in software for ${settled} ms`);
  entries(WINDOW_ENTRIES, 0.2);
  assert.equal(p.ring3InSoftware(), true, 'KVM measured again, and software is still faster');
  entries(WINDOW_ENTRIES, 0.05);
  const longer = until(false, 0.05);
  assert.ok(longer >= 2 * MIN_PERIOD_MS - 1e-6 && longer <= 2 * MIN_PERIOD_MS + 0.1, `the next period is twice as long: ${longer} ms`);
  assert.equal(p.moves, 2);
});

test('compute-bound ring 3 in the software core goes back to KVM once it is slower than KVM was', () => {
  const { p, entries, advance } = placement();
  entries(WINDOW_ENTRIES, 0.2);
  assert.equal(p.ring3InSoftware(), true);
  entries(10, 0.05);
  advance(WINDOW_ENTRIES * 0.2);                        // no kernel entry for as long as KVM needed for a window
  assert.equal(p.ring3InSoftware(), false);
});

test('a slower software trial goes back to KVM, and the next trial waits twice as long each time', () => {
  const { p, entries, until } = placement();
  entries(WINDOW_ENTRIES, 0.2);
  assert.equal(p.ring3InSoftware(), true);
  const lost = until(false, 0.3);                      // slower than KVM's 0.2 ms per entry
  assert.ok(Math.abs(lost - WINDOW_ENTRIES * 0.2) <= 0.3, `the trial ended as lost after ${lost} ms`);
  const first = until(true, 0.2);
  assert.ok(first >= MIN_PERIOD_MS && first <= MIN_PERIOD_MS + WINDOW_ENTRIES * 0.2, `next trial after ${first} ms`);
  until(false, 0.3);
  const second = until(true, 0.2);
  assert.ok(second >= 2 * MIN_PERIOD_MS && second <= 2 * MIN_PERIOD_MS + WINDOW_ENTRIES * 0.2, `then after ${second} ms`);
});

test('ring 3 that enters the kernel every 2 ms never leaves KVM', () => {
  const { p, entries } = placement();
  entries(20 * WINDOW_ENTRIES, 2);
  assert.equal(p.ring3InSoftware(), false);
  assert.equal(p.moves, 0);
});
