// What one introspection session has asked of one vCPU (KVMI reference §3.2, §4): the vCPU events
// it enabled, the CRs and MSRs it monitors, single-stepping, registers set during the current event
// (applied on reply), and the PAUSE / TRAP events still owed to the tool. intercepts() turns this
// into the engine's intercept set, so the CPU only exits for what the tool wants to see.
import { KVMI_EVENT } from '../kvmi';
import type { CpuIntercepts } from '../engine/cpuCore';
import type { KvmRegs } from '../x86/kvmState';

/** An exception queued by KVMI_VCPU_INJECT_EXCEPTION, reported back by a TRAP event. */
export interface QueuedTrap { nr: number; errorCode: number; address: bigint }

export class VcpuIntrospection {
  /** vCPU event ids enabled with KVMI_VCPU_CONTROL_EVENTS. */
  readonly enabled = new Set<number>();
  /** CRs selected with KVMI_VCPU_CONTROL_CR. */
  readonly crs = new Set<number>();
  /** MSRs selected with KVMI_VCPU_CONTROL_MSR. */
  readonly msrs = new Set<number>();
  singlestep = false;
  /** KVMI_VCPU_SET_REGISTERS during an event: applied when the tool replies. */
  pendingRegs: KvmRegs | undefined;
  /** Seq of the event this vCPU waits on, if any. */
  waitingSeq: number | undefined;
  /** PAUSE events still to send (one per successful KVMI_VM_PAUSE_VCPU). */
  pauseRequests = 0;
  trap: QueuedTrap | undefined;
  /** True while the PAUSE/TRAP job loop runs for this vCPU. */
  pumping = false;

  constructor(readonly index: number) {}

  has(eventId: number): boolean { return this.enabled.has(eventId); }

  hasJobs(): boolean { return this.trap !== undefined || this.pauseRequests > 0; }

  /** The engine intercepts this state needs (KVMI reference §4.2 "enable via"). */
  intercepts(): CpuIntercepts {
    const E = KVMI_EVENT;
    return {
      pf: this.has(E.KVMI_VCPU_EVENT_PF),
      breakpoint: this.has(E.KVMI_VCPU_EVENT_BREAKPOINT),
      hypercall: this.has(E.KVMI_VCPU_EVENT_HYPERCALL),
      descriptor: this.has(E.KVMI_VCPU_EVENT_DESCRIPTOR),
      xsetbv: this.has(E.KVMI_VCPU_EVENT_XSETBV),
      crWrite: new Set(this.has(E.KVMI_VCPU_EVENT_CR) ? this.crs : []),
      msrWrite: new Set(this.has(E.KVMI_VCPU_EVENT_MSR) ? this.msrs : []),
      singlestep: this.singlestep,
    };
  }
}

/** The intercept set after unhook: nothing intercepted (KVMI reference §1.3 UNHOOK, steps 6-7). */
export function clearedIntercepts(): CpuIntercepts {
  return { pf: false, breakpoint: false, hypercall: false, descriptor: false, xsetbv: false, crWrite: new Set(), msrWrite: new Set(), singlestep: false };
}
