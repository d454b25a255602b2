// The VMM core's side of the vCPU event mailboxes (eventMailbox.ts): notices each event a vCPU
// thread leaves in its mailbox and hands it on once every message the thread sent before it has
// been handled (so that, say, serial output printed before a watchpoint hit is shown before the
// stop). It waits with Atomics.waitAsync, which keeps the event loop free. After an event it may
// also poll the mailboxes from the event loop for EVENT_POLL_MS, because the next event of a busy
// watchpoint usually follows within a fraction of that: waking a sleeping thread costs both sides
// tens of microseconds (more under nested virtualisation), while polling keeps it to the length of
// one event-loop turn. Whether polling pays depends on free cores, so pollTuner.ts measures both
// ways and picks. While it polls, the CORE_POLLING slot tells vCPU threads not to wake it. A poll
// turn is a setImmediate callback, so sockets and timers are served between turns.
import { RaisedEvent } from './eventDelivery';
import { readEvent } from './eventMailbox';
import { PollTuner } from './pollTuner';
import { CORE_POLLING, EVENT_SENT, EVENT_SEQ, mailbox, slot } from './sharedControl';

/** How long the VMM core keeps polling the mailboxes after an event before it sleeps again. */
export const EVENT_POLL_MS = 1;

interface Inbox {
  index: number;
  box: Uint8Array;
  /** The sequence number of the last event taken from the mailbox. */
  seen: number;
  /** Messages received from the thread (modulo 2^32). */
  received: number;
  waiting: { raised: RaisedEvent; sentBefore: number } | undefined;
  ended: boolean;
}

export class EventInboxes {
  private readonly inboxes: Inbox[] = [];
  private readonly control: Int32Array;
  private pollUntil = 0;
  private polling = false;
  private readonly tuner = new PollTuner();

  constructor(
    private readonly controlBuffer: SharedArrayBuffer,
    private readonly deliver: (vcpu: number, raised: RaisedEvent) => void,
  ) {
    this.control = new Int32Array(controlBuffer);
  }

  /** Starts watching vCPU `index`'s mailbox. */
  add(index: number): void {
    const inbox: Inbox = { index, box: mailbox(this.controlBuffer, index), seen: 0, received: 0, waiting: undefined, ended: false };
    this.inboxes[index] = inbox;
    this.sleepOn(inbox);
  }

  /** A message from vCPU `index`'s thread was handled: an event waiting for it may go now. */
  messageHandled(index: number): void {
    const inbox = this.inboxes[index];
    inbox.received = (inbox.received + 1) | 0;
    this.deliverWaiting(inbox);
  }

  /** vCPU `index`'s thread has exited: its mailbox is no longer watched. */
  ended(index: number): void {
    const inbox = this.inboxes[index];
    inbox.ended = true;
    Atomics.notify(this.control, slot(index, EVENT_SEQ));
  }

  /** Waits without blocking for the thread to ring EVENT_SEQ, then takes the event; until the thread ends. */
  private sleepOn(inbox: Inbox): void {
    if (inbox.ended) return;
    const wait = Atomics.waitAsync(this.control, slot(inbox.index, EVENT_SEQ), inbox.seen);
    const woken = (): void => { this.take(inbox); this.sleepOn(inbox); };
    if (wait.async) void wait.value.then(woken);
    else queueMicrotask(woken);
  }

  /** Takes a new event from the mailbox, if there is one. */
  private take(inbox: Inbox): void {
    if (inbox.ended) return;
    const seq = Atomics.load(this.control, slot(inbox.index, EVENT_SEQ));
    if (seq === inbox.seen) return;
    inbox.seen = seq;
    this.tuner.eventArrived();
    inbox.waiting = { raised: { vcpuSeq: seq, ...readEvent(inbox.box) }, sentBefore: Atomics.load(this.control, slot(inbox.index, EVENT_SENT)) };
    this.deliverWaiting(inbox);
    if (this.tuner.shouldPoll) this.keepPolling();
    else this.pollUntil = 0;
  }

  private deliverWaiting(inbox: Inbox): void {
    const w = inbox.waiting;
    if (!w || ((inbox.received - w.sentBefore) | 0) < 0) return;
    inbox.waiting = undefined;
    this.deliver(inbox.index, w.raised);
  }

  private keepPolling(): void {
    this.pollUntil = performance.now() + EVENT_POLL_MS;
    if (this.polling) return;
    this.polling = true;
    Atomics.store(this.control, CORE_POLLING, 1);
    setImmediate(this.poll);
  }

  private readonly poll = (): void => {
    for (const inbox of this.inboxes) if (inbox) this.take(inbox);
    if (performance.now() < this.pollUntil && this.inboxes.some((i) => i && !i.ended)) { setImmediate(this.poll); return; }
    this.polling = false;
    Atomics.store(this.control, CORE_POLLING, 0);
    // An event stored just before the slot was cleared rang no bell: look once more.
    for (const inbox of this.inboxes) if (inbox) this.take(inbox);
  };
}
