// The VMM core's choice between polling the event mailboxes and sleeping on them
// (src/vmm/engine/pollTuner.ts): it follows whichever mode measured faster event-to-event times,
// keeps measuring (a host that becomes busy changes the answer), and ignores pauses between bursts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BURST_GAP_MS, PollTuner, RUN, TRIAL } from '../../../src/vmm/engine/pollTuner';

/** Feeds `events` events whose gap depends on the mode the tuner chose for the previous one. */
function drive(tuner: PollTuner, clock: { t: number }, events: number, gapMs: (polling: boolean) => number): void {
  for (let i = 0; i < events; i++) {
    const polling = tuner.shouldPoll;
    clock.t += gapMs(polling);
    tuner.eventArrived();
  }
}

test('polls when events come faster with polling, sleeps when they come faster without', () => {
  const clock = { t: 0 };
  const tuner = new PollTuner(() => clock.t);
  drive(tuner, clock, 2 * TRIAL + 10, (polling) => (polling ? 0.15 : 0.2));
  assert.equal(tuner.chosen, 'poll');
  assert.equal(tuner.shouldPoll, true);
  // The host gets busy: polling now slows every event down. The next trials notice it.
  drive(tuner, clock, RUN + 2 * TRIAL, (polling) => (polling ? 0.7 : 0.27));
  assert.equal(tuner.chosen, 'sleep');
  assert.equal(tuner.shouldPoll, false);
});

test('pauses between bursts of events do not count towards either mode', () => {
  const clock = { t: 0 };
  const tuner = new PollTuner(() => clock.t);
  let n = 0;
  // Polling is faster, but every pause (longer than BURST_GAP_MS) falls in a polling trial.
  drive(tuner, clock, 2 * TRIAL + 1, (polling) => (polling ? (++n % 2 ? 0.1 : BURST_GAP_MS * 10) : 0.2));
  assert.equal(tuner.chosen, 'poll');
});

test('runs in the chosen mode between trials', () => {
  const clock = { t: 0 };
  const tuner = new PollTuner(() => clock.t);
  drive(tuner, clock, 2 * TRIAL + 1, (polling) => (polling ? 0.3 : 0.1));
  let polled = 0;
  for (let i = 0; i < RUN - 2; i++) { if (tuner.shouldPoll) polled++; clock.t += 0.1; tuner.eventArrived(); }
  assert.equal(polled, 0);
});
