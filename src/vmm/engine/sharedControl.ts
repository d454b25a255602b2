// Layout of the shared control block (an Int32Array over a SharedArrayBuffer) through which the
// VMM core reaches vCPU threads without waiting for their event loop:
//   global slot ACCESS_GENERATION: bumped after page-access changes; each vCPU thread compares it
//     with the last value it saw before every run slice and resume, then calls cpu.accessChanged().
//   global slot CORE_POLLING: 1 while the VMM core polls the event mailboxes (eventInbox.ts), when
//     a vCPU thread leaves an event without waking it.
//   per vCPU i, VCPU_SLOTS words at slot(i, 0):
//     DOORBELL: bumped (and Atomics.notify'ed) after a command is posted; the run loop compares it
//       between slices (one Atomics.load) and waiting threads sleep on it with Atomics.wait.
//     STATE: the vCPU's state code (vcpuState.ts), written by the vCPU thread.
//     REPLY_SEQ, REPLY_ACTION: an event reply without data (CONTINUE, RETRY, CRASH), written by the
//       VMM core (action first, then the event's sequence number, then the doorbell), so that the
//       waiting thread takes it without a message (replyActionCode/replyActionOfCode).
//     EVENT_SEQ, EVENT_SENT: the vCPU's latest event in its mailbox and the number of messages the
//       thread had sent before it (eventMailbox.ts); the VMM core waits on EVENT_SEQ.
//     after the vCPU's slots, 8-byte aligned: its event mailbox of EVENT_MAILBOX_BYTES (mailbox()).

import { EVENT_MAILBOX_BYTES } from './eventMailbox';

export const ACCESS_GENERATION = 0;
export const CORE_POLLING = 1;
export const VCPU_BASE = 4;
export const VCPU_SLOTS = 8;
export const DOORBELL = 0;
export const STATE = 1;
export const REPLY_SEQ = 2;
export const REPLY_ACTION = 3;
export const EVENT_SEQ = 4;
export const EVENT_SENT = 5;

const REPLY_ACTIONS = ['continue', 'retry', 'crash'] as const;
export const replyActionCode = (action: typeof REPLY_ACTIONS[number]) => REPLY_ACTIONS.indexOf(action) + 1;
export const replyActionOfCode = (code: number) => REPLY_ACTIONS[code - 1];

/** 32-bit words per vCPU: its slots, then its mailbox. */
const VCPU_STRIDE = VCPU_SLOTS + EVENT_MAILBOX_BYTES / 4;

export function controlBytes(vcpus: number): number {
  return (VCPU_BASE + vcpus * VCPU_STRIDE) * 4;
}

/** vCPU `vcpu`'s event mailbox in the control block `control`. */
export function mailbox(control: SharedArrayBuffer, vcpu: number): Uint8Array {
  return new Uint8Array(control, (VCPU_BASE + vcpu * VCPU_STRIDE + VCPU_SLOTS) * 4, EVENT_MAILBOX_BYTES);
}

export function slot(vcpu: number, which: number): number {
  return VCPU_BASE + vcpu * VCPU_STRIDE + which;
}
