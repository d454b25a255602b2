// Main-thread delivery of KVMI vCPU events, shared by every engine whose vCPUs run in worker threads:
// an event a vCPU thread left in its mailbox (eventMailbox.ts) becomes the VcpuEvent the VMM core
// sees, with the per-VM sequence number, the state snapshot decoded when first read, and a reply()
// that is validated (kvmi-protocol.md 4.2: allowed actions per event) and accepted exactly once.
// With no subscriber the event is answered CONTINUE, keeping a cr/msr write's new value.
import { CpuEventExit } from './cpuCore';
import { EngineError } from './engine';
import { decodeEventArch } from './eventArchCodec';
import { EmulatorVcpu } from './emulatorVcpu';
import { replyProblem, VcpuEvent, VcpuEventArch } from './vcpuEvents';

/** A vCPU thread's event: its own sequence number, the exit and the encoded state snapshot. */
export interface RaisedEvent { vcpuSeq: number; exit: CpuEventExit; arch: Uint8Array }

/** Builds the event for `raised` from `vcpu` with sequence number `seq` and hands it to `handler`. */
export function deliverVcpuEvent(vcpu: EmulatorVcpu, raised: RaisedEvent, seq: number,
  handler: ((event: VcpuEvent) => void) | undefined): void {
  const { exit, vcpuSeq } = raised;
  let answered = false;
  let arch: VcpuEventArch | undefined;
  const event = {
    ...exit, vcpu: vcpu.index, seq,
    get arch() { return (arch ??= decodeEventArch(raised.arch)); },
    archBytes: raised.arch,
    reply: (action, data) => {
      const problem = replyProblem(exit.kind, action, data);
      if (problem) throw new EngineError('badReply', problem);
      if (answered) throw new EngineError('badReply', `event ${seq} (${exit.kind} on vCPU ${vcpu.index}) was already answered`);
      answered = true;
      if (data === undefined) vcpu.postReply(vcpuSeq, action);
      else vcpu.post({ op: 'reply', seq: vcpuSeq, action, data });
    },
  } as VcpuEvent;
  if (handler) handler(event);
  else event.reply('continue', 'oldValue' in exit ? { newValue: exit.newValue } : undefined);
}
