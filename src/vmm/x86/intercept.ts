// Intercepted instructions (KVMI v12 section 4.3): an instruction whose execution must first be
// reported throws InterceptExit before changing any state; the run loop restores the
// pre-instruction state and returns the exit. After resume('continue') the instruction runs again
// and takes the answered value instead of raising the event a second time.

import type { CpuExit } from './cpu';

/** Thrown by a handler to leave run() with an event exit, the instruction not executed. */
export class InterceptExit extends Error {
  constructor(readonly exit: CpuExit) {
    super(`intercepted: ${exit.kind}`);
  }
}
