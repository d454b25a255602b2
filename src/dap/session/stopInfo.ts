// Why a vCPU stopped, in the terms the DAP `stopped` event and `exceptionInfo` need: the reason,
// a one-line description and, for watchpoint hits, the access (kind, width, gva, gpa, page
// restriction) that caused it.
import type { VcpuState } from '../target';

export type StopReason = 'entry' | 'pause' | 'step' | 'breakpoint' | 'data breakpoint' | 'instruction breakpoint' | 'goto';

export interface AccessDetails {
  access: 'read' | 'write' | 'execute';
  gva: bigint;
  gpa: bigint;
  width: number;
  instruction: string | undefined;
  /** KVMI access bits applied to the frame when the access happened. */
  pageAccess: number;
  /** Bytes the remaining iterations of a REP string instruction cover. */
  repeatBytes?: bigint;
}

export interface StopInfo {
  vcpu: number;
  reason: StopReason;
  description: string;
  hitBreakpointIds: number[];
  access?: AccessDetails;
  state: VcpuState;
}

export function pageAccessText(bits: number): string {
  return `${bits & 1 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 4 ? 'x' : '-'}`;
}
