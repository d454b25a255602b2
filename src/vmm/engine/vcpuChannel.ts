// The worker_threads side of a vCPU thread's link to the VMM core: commands are read synchronously
// from the parent port (receiveMessageOnPort, so the run loop never yields to the event loop), the
// doorbell and state live in the shared control block, messages go out with postMessage, and events
// through the vCPU's event mailbox in the control block (eventMailbox.ts).
import { MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { VcpuCommand, VcpuMessage } from './messages';
import { RunnerChannel } from './vcpuRunner';
import { ACCESS_GENERATION, CORE_POLLING, DOORBELL, EVENT_SENT, EVENT_SEQ, mailbox, REPLY_ACTION, REPLY_SEQ, replyActionOfCode, STATE, slot } from './sharedControl';
import { CpuEventExit } from './cpuCore';
import { writeEvent } from './eventMailbox';
import { VcpuEventArch } from './vcpuEvents';
import { EventAction } from './engine';
import { stateCode, VcpuState } from './vcpuState';

export class WorkerChannel implements RunnerChannel {
  private readonly control: Int32Array;
  private readonly mailbox: Uint8Array;
  /** Messages sent so far (modulo 2^32), so that the VMM core delivers an event after them. */
  private sent = 0;

  constructor(private readonly port: MessagePort, control: SharedArrayBuffer, private readonly index: number) {
    this.control = new Int32Array(control);
    this.mailbox = mailbox(control, index);
  }

  doorbell(): number { return Atomics.load(this.control, slot(this.index, DOORBELL)); }

  takeCommand(): VcpuCommand | undefined {
    return receiveMessageOnPort(this.port)?.message as VcpuCommand | undefined;
  }

  waitDoorbell(seen: number, timeoutMs: number): void {
    Atomics.wait(this.control, slot(this.index, DOORBELL), seen, timeoutMs);
  }

  send(message: VcpuMessage): void {
    this.port.postMessage(message);
    this.sent = (this.sent + 1) | 0;
  }

  raiseEvent(seq: number, exit: CpuEventExit, arch: VcpuEventArch): void {
    writeEvent(this.mailbox, exit, arch);
    Atomics.store(this.control, slot(this.index, EVENT_SENT), this.sent);
    Atomics.store(this.control, slot(this.index, EVENT_SEQ), seq);
    // Stored before CORE_POLLING is read, so a VMM core that stops polling sees the event (eventInbox.ts).
    if (Atomics.load(this.control, CORE_POLLING) === 0) Atomics.notify(this.control, slot(this.index, EVENT_SEQ));
  }

  setState(state: VcpuState): void { Atomics.store(this.control, slot(this.index, STATE), stateCode(state)); }

  accessGeneration(): number { return Atomics.load(this.control, ACCESS_GENERATION); }

  takeReply(seq: number): EventAction | undefined {
    if (Atomics.load(this.control, slot(this.index, REPLY_SEQ)) !== seq) return undefined;
    return replyActionOfCode(Atomics.load(this.control, slot(this.index, REPLY_ACTION)));
  }
}
