// KVMI vCPU events as the VMM core receives them: the CPU exit that caused the event, the vCPU's
// architectural state at that moment (what KVMI puts in struct kvmi_vcpu_event_arch), and reply(),
// which must be called exactly once. Allowed actions per event follow kvmi-protocol.md 4.2:
// CONTINUE and CRASH everywhere, RETRY only for pf, breakpoint and descriptor.
import { KvmRegs, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';
import { CpuEventExit } from './cpuCore';
import { EventAction } from './engine';

/** The state snapshot sent with every vCPU event (kvmi_vcpu_event_arch). */
export interface VcpuEventArch {
  mode: 2 | 4 | 8;
  regs: KvmRegs;
  sregs: KvmSregs;
  msrs: KvmiEventMsrs;
}

/** Data a reply may carry: new_val for cr/msr events. */
export interface EventReplyData { newValue?: bigint }

export type VcpuEvent = CpuEventExit & {
  vcpu: number;
  /** Per-VM event sequence number. */
  seq: number;
  arch: VcpuEventArch;
  /** `arch` as struct kvmi_vcpu_event_arch bytes (eventArchCodec.ts), where the engine has them. */
  archBytes?: Uint8Array;
  reply(action: EventAction, data?: EventReplyData): void;
};

const RETRY_ALLOWED: ReadonlySet<string> = new Set(['pf', 'breakpoint', 'descriptor']);

/** Why `action` is not a valid answer to an event of `kind`, or undefined if it is. */
export function replyProblem(kind: CpuEventExit['kind'], action: EventAction, data?: EventReplyData): string | undefined {
  if (action !== 'continue' && action !== 'retry' && action !== 'crash') return `unknown event action '${String(action)}'`;
  if (action === 'retry' && !RETRY_ALLOWED.has(kind)) return `a ${kind} event accepts CONTINUE or CRASH, not RETRY`;
  if (action === 'continue' && (kind === 'cr' || kind === 'msr') && data?.newValue === undefined) {
    return `CONTINUE on a ${kind} event needs newValue (new_value to allow the write, old_value to block it)`;
  }
  return undefined;
}
