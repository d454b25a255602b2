// Layout of the shared control block (an Int32Array over a SharedArrayBuffer) through which the
// VMM core reaches vCPU threads without waiting for their event loop:
//   global slot ACCESS_GENERATION: bumped after page-access changes; each vCPU thread compares it
//     with the last value it saw before every run slice and resume, then calls cpu.accessChanged().
//   per vCPU i, at VCPU_BASE + i * VCPU_SLOTS:
//     DOORBELL: bumped (and Atomics.notify'ed) after a command is posted; the run loop compares it
//       between slices (one Atomics.load) and waiting threads sleep on it with Atomics.wait.
//     STATE: the vCPU's state code (vcpuState.ts), written by the vCPU thread.
//     REPLY_SEQ, REPLY_ACTION: an event reply without data (CONTINUE, RETRY, CRASH), written by the
//       VMM core (action first, then the event's sequence number, then the doorbell), so that the
//       waiting thread takes it without a message (replyActionCode/replyActionOfCode).

export const ACCESS_GENERATION = 0;
export const VCPU_BASE = 4;
export const VCPU_SLOTS = 4;
export const DOORBELL = 0;
export const STATE = 1;
export const REPLY_SEQ = 2;
export const REPLY_ACTION = 3;

const REPLY_ACTIONS = ['continue', 'retry', 'crash'] as const;
export const replyActionCode = (action: typeof REPLY_ACTIONS[number]) => REPLY_ACTIONS.indexOf(action) + 1;
export const replyActionOfCode = (code: number) => REPLY_ACTIONS[code - 1];

export function controlBytes(vcpus: number): number {
  return (VCPU_BASE + vcpus * VCPU_SLOTS) * 4;
}

export function slot(vcpu: number, which: number): number {
  return VCPU_BASE + vcpu * VCPU_SLOTS + which;
}
