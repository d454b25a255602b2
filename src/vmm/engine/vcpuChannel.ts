// The worker_threads side of a vCPU thread's link to the VMM core: commands are read synchronously
// from the parent port (receiveMessageOnPort, so the run loop never yields to the event loop), the
// doorbell and state live in the shared control block, messages go out with postMessage.
import { MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { VcpuCommand, VcpuMessage } from './messages';
import { RunnerChannel } from './vcpuRunner';
import { ACCESS_GENERATION, DOORBELL, REPLY_ACTION, REPLY_SEQ, replyActionOfCode, STATE, slot } from './sharedControl';
import { EventAction } from './engine';
import { stateCode, VcpuState } from './vcpuState';

export class WorkerChannel implements RunnerChannel {
  private readonly control: Int32Array;

  constructor(private readonly port: MessagePort, control: SharedArrayBuffer, private readonly index: number) {
    this.control = new Int32Array(control);
  }

  doorbell(): number { return Atomics.load(this.control, slot(this.index, DOORBELL)); }

  takeCommand(): VcpuCommand | undefined {
    return receiveMessageOnPort(this.port)?.message as VcpuCommand | undefined;
  }

  waitDoorbell(seen: number, timeoutMs: number): void {
    Atomics.wait(this.control, slot(this.index, DOORBELL), seen, timeoutMs);
  }

  send(message: VcpuMessage): void { this.port.postMessage(message); }

  setState(state: VcpuState): void { Atomics.store(this.control, slot(this.index, STATE), stateCode(state)); }

  accessGeneration(): number { return Atomics.load(this.control, ACCESS_GENERATION); }

  takeReply(seq: number): EventAction | undefined {
    if (Atomics.load(this.control, slot(this.index, REPLY_SEQ)) !== seq) return undefined;
    return replyActionOfCode(Atomics.load(this.control, slot(this.index, REPLY_ACTION)));
  }
}
