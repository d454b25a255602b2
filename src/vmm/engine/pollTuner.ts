// Decides, by measuring, whether the VMM core should poll the event mailboxes after an event
// (eventInbox.ts). Polling saves the wake-up of a sleeping thread when events follow each other
// closely and a core is free for it; on a busy host the polling thread takes CPU time from the
// vCPU threads and every event gets slower (on 2 cores at load 2.5, watchpoint round trips took
// 2.5x as long with polling as without). So the tuner times events in blocks: TRIAL events with
// polling, TRIAL without, then RUN events in the faster mode, and again. It compares the mean time
// from one event to the next; gaps longer than BURST_GAP_MS (the guest was doing something else)
// are left out of the means.

/** Events timed per trial block of each mode. */
export const TRIAL = 64;
/** Events run in the chosen mode before the next pair of trials. */
export const RUN = 1024;
/** Gaps between events longer than this do not count: no burst of events is going on. */
export const BURST_GAP_MS = 20;

type Phase = 'trialPoll' | 'trialSleep' | 'run';

export class PollTuner {
  private phase: Phase = 'trialPoll';
  private left = TRIAL;
  private last: number | undefined;
  private readonly sums = { poll: { ms: 0, n: 0 }, sleep: { ms: 0, n: 0 } };
  private choice: 'poll' | 'sleep' = 'poll';

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether to poll after the event being delivered now. */
  get shouldPoll(): boolean {
    return this.phase === 'trialPoll' || (this.phase === 'run' && this.choice === 'poll');
  }

  /** The mode runs use (the last trials' winner; polling before the first trials end). */
  get chosen(): 'poll' | 'sleep' { return this.choice; }

  /** Called for every event taken from a mailbox, before its delivery. */
  eventArrived(): void {
    const t = this.now();
    const gap = this.last === undefined ? undefined : t - this.last;
    this.last = t;
    if (gap === undefined || gap > BURST_GAP_MS) return;
    if (this.phase !== 'run') {
      const sum = this.sums[this.phase === 'trialPoll' ? 'poll' : 'sleep'];
      sum.ms += gap;
      sum.n++;
    }
    if (--this.left > 0) return;
    switch (this.phase) {
      case 'trialPoll': this.phase = 'trialSleep'; this.left = TRIAL; break;
      case 'trialSleep': this.choose(); this.phase = 'run'; this.left = RUN; break;
      case 'run': this.phase = 'trialPoll'; this.left = TRIAL; break;
    }
  }

  private choose(): void {
    const { poll, sleep } = this.sums;
    if (poll.n > 0 && sleep.n > 0) this.choice = poll.ms / poll.n <= sleep.ms / sleep.n ? 'poll' : 'sleep';
    poll.ms = poll.n = sleep.ms = sleep.n = 0;
  }
}
