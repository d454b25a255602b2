// Turns an engine vCPU event (engine/vcpuEvents.ts) into its KVMI v12 event (KVMI reference §4.1,
// §4.2): which event id it is, the kvmi_vcpu_event common state and the event-specific payload,
// and maps a KVMI reply back to the engine's action and reply data.
import { EVENTS, KVMI_EVENT_ACTION, encodeVcpuEvent, type EventName, type KvmiEventAction, type KvmiVcpuEventEncodedState, type KvmiVcpuEventState } from '../kvmi';
import type { EventAction } from '../engine/engine';
import type { EventReplyData, VcpuEvent, VcpuEventArch } from '../engine/vcpuEvents';

export type VcpuEventName = Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>;

const NAME_OF_KIND: Record<VcpuEvent['kind'], VcpuEventName> = {
  pf: 'KVMI_VCPU_EVENT_PF',
  breakpoint: 'KVMI_VCPU_EVENT_BREAKPOINT',
  hypercall: 'KVMI_VCPU_EVENT_HYPERCALL',
  cr: 'KVMI_VCPU_EVENT_CR',
  msr: 'KVMI_VCPU_EVENT_MSR',
  xsetbv: 'KVMI_VCPU_EVENT_XSETBV',
  descriptor: 'KVMI_VCPU_EVENT_DESCRIPTOR',
  singlestep: 'KVMI_VCPU_EVENT_SINGLESTEP',
};

/** The KVMI event an engine event is reported as. */
export function kvmiEventName(event: VcpuEvent): VcpuEventName {
  return NAME_OF_KIND[event.kind];
}

/** kvmi_vcpu_event without `size`: the vCPU index and the arch state. */
export function eventState(vcpu: number, arch: VcpuEventArch): KvmiVcpuEventState {
  return { vcpu, arch: { mode: arch.mode, regs: arch.regs, sregs: arch.sregs, msrs: arch.msrs } };
}

/** The complete KVMI event message for an engine event (its state bytes sent as they are, where it has them). */
export function encodeEngineEvent(event: VcpuEvent, seq: number): Uint8Array {
  const state: KvmiVcpuEventState | KvmiVcpuEventEncodedState = event.archBytes ? { vcpu: event.vcpu, archBytes: event.archBytes } : eventState(event.vcpu, event.arch);
  switch (event.kind) {
    case 'pf': return encodeVcpuEvent('KVMI_VCPU_EVENT_PF', seq, state, { gva: event.gva, gpa: event.gpa, access: event.access });
    case 'breakpoint': return encodeVcpuEvent('KVMI_VCPU_EVENT_BREAKPOINT', seq, state, { gpa: event.gpa, insn_len: event.insnLen });
    case 'hypercall': return encodeVcpuEvent('KVMI_VCPU_EVENT_HYPERCALL', seq, state, undefined);
    case 'cr': return encodeVcpuEvent('KVMI_VCPU_EVENT_CR', seq, state, { cr: event.cr, old_value: event.oldValue, new_value: event.newValue });
    case 'msr': return encodeVcpuEvent('KVMI_VCPU_EVENT_MSR', seq, state, { msr: event.msr, old_value: event.oldValue, new_value: event.newValue });
    case 'xsetbv': return encodeVcpuEvent('KVMI_VCPU_EVENT_XSETBV', seq, state, { xcr: event.xcr, old_value: event.oldValue, new_value: event.newValue });
    case 'descriptor': return encodeVcpuEvent('KVMI_VCPU_EVENT_DESCRIPTOR', seq, state, { descriptor: event.descriptor, write: event.write ? 1 : 0 });
    case 'singlestep': return encodeVcpuEvent('KVMI_VCPU_EVENT_SINGLESTEP', seq, state, { failed: 0 });
  }
}

export function engineAction(action: KvmiEventAction): EventAction {
  return action === KVMI_EVENT_ACTION.RETRY ? 'retry' : action === KVMI_EVENT_ACTION.CRASH ? 'crash' : 'continue';
}

/**
 * Reply data for the engine. CR and MSR replies carry new_val (zero-filled when the tool sent a
 * short reply, as the kernel does; KVMI reference §4.3 CR).
 */
export function engineReplyData(event: VcpuEvent, reply: unknown): EventReplyData | undefined {
  if (event.kind !== 'cr' && event.kind !== 'msr') return undefined;
  return { newValue: (reply as { new_val?: bigint } | undefined)?.new_val ?? 0n };
}

/** Answers an engine event as if the tool had replied CONTINUE without changing anything (§4.1). */
export function continueUnchanged(event: VcpuEvent): void {
  const data = event.kind === 'cr' || event.kind === 'msr' || event.kind === 'xsetbv' ? { newValue: event.newValue } : undefined;
  try {
    event.reply('continue', data);
  } catch {
    // already answered, or the vCPU has stopped: nothing is waiting any more
  }
}

export const eventIdOf = (name: VcpuEventName): number => EVENTS[name].id;
