// Every KVMI semantics scenario (scenarios.ts) on every available engine, compared with the software
// engine event by event: same events in the same order with the same gva/gpa/access and register
// state (RBX excluded: scenarioRunner.ts), same serial output, same stop, same final memory.
// Expected difference, pinned here: plain KVM on a PVM host runs guest ring 0 in KVM's instruction
// emulator, which reports a ring-0 read or write of a protected frame only once it cannot be taken
// back; the engine completes it without an event (counted in lateAccesses). Such a run must behave
// exactly as the same guest with no restriction at all. Ring-0 fetches stay exact there. Plain KVM
// also refuses every intercept but PF (refusedIntercepts.test.ts): scenarios needing one pin that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestToolchainMissing } from '../../support/guests';
import { CANDIDATES, REFERENCE, isPlainKvmOnPvm } from './engineVariants';
import { RunResult, runScenario } from './scenarioRunner';
import { SCENARIOS } from './scenarios';

function assertSameRun(got: RunResult, want: RunResult, what: string): void {
  assert.equal(got.events.length, want.events.length, `${what}: number of events`);
  got.events.forEach((e, i) => assert.deepEqual(e, want.events[i], `${what}: event ${i}`));
  assert.equal(got.stdout, want.stdout, `${what}: serial output`);
  assert.deepEqual(got.stop, want.stop, `${what}: how the VM stopped`);
  assert.deepEqual(got.memory, want.memory, `${what}: final memory`);
}

for (const scenario of SCENARIOS) {
  test(scenario.name, async (t) => {
    const toolchain = guestToolchainMissing();
    if (toolchain) { t.skip(toolchain); return; }
    const reference = await runScenario(REFERENCE.create(), scenario);
    assert.ok(reference.events.length > 0, 'the scenario raises events on the software engine');
    for (const variant of CANDIDATES) {
      await t.test(variant.name, async (t2) => {
        const why = variant.unavailable();
        if (why) { t2.skip(why); return; }
        if (scenario.intercepts && variant.name === 'kvm') {
          await assert.rejects(runScenario(variant.create(), scenario), /cannot deliver KVMI .* events without softwareKernel/, 'expected difference: refused');
          return;
        }
        const got = await runScenario(variant.create(), scenario);
        if (scenario.ring === 0 && scenario.watching === 'data' && isPlainKvmOnPvm(variant)) {
          const unwatched = await runScenario(REFERENCE.create(), scenario, true);
          assert.deepEqual(got.events, [], 'expected difference: no events for ring-0 data accesses on plain PVM');
          assert.ok((got.lateAccesses ?? 0) > 0, 'the accesses went through the late path');
          assertSameRun(got, unwatched, 'plain PVM against the unwatched run');
          return;
        }
        assertSameRun(got, reference, `${variant.name} against the software engine`);
        assert.equal(got.lateAccesses, 0, 'no access completed late');
      });
    }
  });
}
