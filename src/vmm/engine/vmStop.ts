// Why a VM stopped, as one typed union shared by both engines, the machine and the CLI, plus the
// one-line text the CLI prints for it and the process exit status it maps to.

export type VmStopReason =
  | { kind: 'exitPort'; status: number }                  // guest wrote `status` to the exit port
  | { kind: 'reset'; rip?: bigint }                       // i8042 reset line pulsed
  | { kind: 'shutdown'; reason: string; rip?: bigint }    // triple fault or another shutdown condition
  | { kind: 'crash'; vcpu: number; rip?: bigint }         // the introspection tool answered CRASH
  | { kind: 'halted'; vcpu: number; rip?: bigint }        // HLT with interrupts off and nothing to wake it
  | { kind: 'error'; message: string; vcpu?: number; rip?: bigint }   // an engine failure
  | { kind: 'stopped' };                                  // the VMM itself ended the VM

const ripText = (rip: bigint | undefined) => (rip === undefined ? '' : ` at rip 0x${rip.toString(16)}`);

/** One line describing the stop, for stderr. */
export function describeStop(r: VmStopReason): string {
  switch (r.kind) {
    case 'exitPort': return `guest exited with status ${r.status}`;
    case 'reset': return `guest reset the machine (i8042 command 0xfe)${ripText(r.rip)}`;
    case 'shutdown': return `guest shut down: ${r.reason}${ripText(r.rip)}`;
    case 'crash': return `vCPU ${r.vcpu} crashed on request of the introspection tool${ripText(r.rip)}`;
    case 'halted': return `vCPU ${r.vcpu} halted with interrupts disabled; nothing can wake it${ripText(r.rip)}`;
    case 'error': return `engine error${r.vcpu === undefined ? '' : ` on vCPU ${r.vcpu}`}: ${r.message}${ripText(r.rip)}`;
    case 'stopped': return 'VM stopped by the VMM';
  }
}

/**
 * Process exit status for the CLI: the guest's own status (values above 255, which a process
 * cannot return, become 255), or a fixed non-zero code per reason.
 */
export function exitStatusOf(r: VmStopReason): number {
  switch (r.kind) {
    case 'exitPort': return Math.min(r.status, 255);
    case 'stopped': return 0;
    case 'reset': return 3;
    case 'shutdown': return 4;
    case 'crash': return 5;
    case 'halted': return 6;
    case 'error': return 70;
  }
}
