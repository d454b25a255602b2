// Where a hybrid vCPU runs guest ring-3 code: in KVM (the default) or in the software core. Each
// kernel entry from ring 3 running in KVM hands the vCPU to the software core and back, which costs
// far more than a whole system call in the software core (about 150 against 50 us on PVM here). So
// ring-3 code that enters the kernel every few microseconds (a syscall-heavy program) runs faster
// entirely in the software core, while ring-3 code that computes between entries runs far faster
// in KVM. The choice is measured, not guessed, as the time per kernel entry over windows of
// WINDOW_ENTRIES entries:
// - In KVM, a window faster than CANDIDATE_CYCLE_MS per entry starts a software trial.
// - A software window ends as lost as soon as it has taken longer than KVM took for as many entries
//   (so compute-bound ring-3 code is back in KVM within that time), or when it completes slower.
//   The next trial then waits `backoff`, which doubles each time (up to MAX_PERIOD_MS).
// - A software window that completes faster keeps ring 3 in software for `period` (doubling each
//   time, up to MAX_PERIOD_MS; every window still has to beat KVM), then KVM is measured again:
//   a program's behaviour changes over time.

/** Kernel entries per measuring window. */
export const WINDOW_ENTRIES = 64;
/** Only ring-3 code that enters the kernel more often than this in KVM is tried in software. */
export const CANDIDATE_CYCLE_MS = 0.5;
export const MIN_PERIOD_MS = 20;
export const MAX_PERIOD_MS = 2000;

export class Ring3Placement {
  /** Ring-3 code runs in the software core. */
  private software = false;
  /** Software placement: stay until then, measuring as long as the windows beat KVM (0: a trial). */
  private settledUntil = 0;
  /** KVM placement: no software trial before then. */
  private noTrialBefore = 0;
  private period = MIN_PERIOD_MS;
  private backoff = MIN_PERIOD_MS;
  /** Milliseconds per kernel entry in KVM's last complete window. */
  private kvmCycle = Infinity;
  private windowStart: number;
  private windowEntries = 0;
  /** Times ring 3 moved to the software core (for the engine's counters). */
  moves = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.windowStart = now();
  }

  /** Whether ring-3 code is to run in the software core now; asked before each run of ring-3 code. */
  ring3InSoftware(): boolean {
    if (!this.software) return false;
    const t = this.now();
    if (this.settledUntil !== 0 && t >= this.settledUntil) this.toKvm(t, false);
    else if (t - this.windowStart > this.kvmCycle * WINDOW_ENTRIES) this.toKvm(t, true);
    return this.software;
  }

  /** `count` kernel entries from ring 3 happened (an exit from KVM, or counted by the software core). */
  kernelEntered(count = 1): void {
    this.windowEntries += count;
    if (this.windowEntries < WINDOW_ENTRIES) return;
    const t = this.now();
    const cycle = (t - this.windowStart) / this.windowEntries;
    if (!this.software) {
      this.kvmCycle = cycle;
      if (cycle < CANDIDATE_CYCLE_MS && t >= this.noTrialBefore) this.toSoftware(t);
      else this.startWindow(t);
    } else if (cycle >= this.kvmCycle) {
      this.toKvm(t, true);
    } else {
      if (this.settledUntil === 0) {
        this.settledUntil = t + this.period;
        this.period = Math.min(this.period * 2, MAX_PERIOD_MS);
        this.backoff = MIN_PERIOD_MS;
      }
      this.startWindow(t);
    }
  }

  private toSoftware(t: number): void {
    this.software = true;
    this.settledUntil = 0;
    this.moves++;
    this.startWindow(t);
  }

  /** `lost`: software was slower than KVM (the next trial waits); else a settled period ended. */
  private toKvm(t: number, lost: boolean): void {
    this.software = false;
    this.settledUntil = 0;
    if (lost) {
      this.noTrialBefore = t + this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_PERIOD_MS);
      this.period = MIN_PERIOD_MS;
    }
    this.startWindow(t);
  }

  private startWindow(t: number): void {
    this.windowStart = t;
    this.windowEntries = 0;
  }
}
