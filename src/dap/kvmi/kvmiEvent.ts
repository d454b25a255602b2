// Events as the KVMI client hands them out (KVMI reference §4): the decoded event plus reply(),
// which sends kvmi_vcpu_event_reply with the event's seq (exactly once), and setRegisters(), which
// sends KVMI_VCPU_SET_REGISTERS while the vCPU waits so the change lands with the reply.
import { KVMI_EVENT_ACTION, type DecodedEvent, type EventName, type KvmiEventAction } from '../../vmm/kvmi';
import type { KvmRegs } from '../../vmm/x86/kvmState';

export type VcpuEventName = Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>;

/** An action by name or by its wire value. */
export type EventActionInput = 'continue' | 'retry' | 'crash' | KvmiEventAction;

/** Reply data: new_val for CR and MSR events (defaults to the event's new_value: allow the write). */
export interface EventReplyInput { newValue?: bigint }

export interface KvmiEventControls {
  /** Answers the event; throws KvmiUsageError on a second reply or an action the event refuses. */
  reply(action: EventActionInput, data?: EventReplyInput): void;
  /** KVMI_VCPU_SET_REGISTERS for this vCPU, applied when the event is answered. */
  setRegisters(regs: KvmRegs): Promise<void>;
  /** True once reply() has been called. */
  readonly replied: boolean;
}

type VcpuDecoded = Extract<DecodedEvent, { scope: 'vcpu' }>;

/** A vCPU event; narrow on `name` to get the typed payload. */
export type KvmiVcpuEvent = VcpuDecoded & KvmiEventControls;
/** The UNHOOK VM event: the tool should clean up and close the connection; it takes no reply. */
export type KvmiVmEvent = Extract<DecodedEvent, { scope: 'vm' }>;
export type KvmiEvent = KvmiVcpuEvent | KvmiVmEvent;

export function actionValue(action: EventActionInput): KvmiEventAction {
  if (typeof action === 'number') return action;
  return { continue: KVMI_EVENT_ACTION.CONTINUE, retry: KVMI_EVENT_ACTION.RETRY, crash: KVMI_EVENT_ACTION.CRASH }[action];
}
