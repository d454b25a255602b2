// Main-thread delivery of KVMI vCPU events, shared by every engine whose vCPUs run in worker threads:
// a vCPU thread's 'event' message becomes the VcpuEvent the VMM core sees, with the per-VM sequence
// number and a reply() that is validated (kvmi-protocol.md 4.2: allowed actions per event) and accepted
// exactly once. With no subscriber the event is answered CONTINUE, keeping a cr/msr write's new value.
import { EngineError } from './engine';
import { decodeEventArch } from './eventArchCodec';
import { EmulatorVcpu } from './emulatorVcpu';
import { VcpuMessage } from './messages';
import { replyProblem, VcpuEvent } from './vcpuEvents';

export type VcpuEventMessage = Extract<VcpuMessage, { type: 'event' }>;

/** Builds the event for `m` from `vcpu` with sequence number `seq` and hands it to `handler`. */
export function deliverVcpuEvent(vcpu: EmulatorVcpu, m: VcpuEventMessage, seq: number,
  handler: ((event: VcpuEvent) => void) | undefined): void {
  let answered = false;
  const event = {
    ...m.exit, vcpu: vcpu.index, seq, arch: decodeEventArch(m.arch),
    reply: (action, data) => {
      const problem = replyProblem(m.exit.kind, action, data);
      if (problem) throw new EngineError('badReply', problem);
      if (answered) throw new EngineError('badReply', `event ${seq} (${m.exit.kind} on vCPU ${vcpu.index}) was already answered`);
      answered = true;
      if (data === undefined) vcpu.postReply(m.seq, action);
      else vcpu.post({ op: 'reply', seq: m.seq, action, data });
    },
  } as VcpuEvent;
  if (handler) handler(event);
  else event.reply('continue', 'oldValue' in m.exit ? { newValue: m.exit.newValue } : undefined);
}
