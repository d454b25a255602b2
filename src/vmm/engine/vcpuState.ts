// The vCPU state machine shared by both engines. The state lives in a shared Int32 slot written
// by the vCPU thread and read by the VMM core. Transitions (and nothing else):
//   created ---start------------> running
//   running ---pause------------> paused          (taken between two run slices)
//   paused  ---unpause----------> running
//   running ---event exit-------> waitingForReply (KVMI vCPU event sent to the VMM core)
//   waitingForReply ---reply----> running, or paused if a pause arrived while waiting
//   any ---VM end / stop--------> stopped         (final)
// In every state but stopped the vCPU thread serves commands (registers, translate, intercepts):
// in running between slices, in paused and waitingForReply at once (KVMI: commands are served
// while a vCPU waits for an event reply).

export const VCPU_STATES = ['created', 'running', 'paused', 'waitingForReply', 'stopped'] as const;
export type VcpuState = typeof VCPU_STATES[number];

const ALLOWED: Record<VcpuState, readonly VcpuState[]> = {
  created: ['running', 'paused', 'stopped'],
  running: ['paused', 'waitingForReply', 'stopped'],
  paused: ['running', 'stopped'],
  waitingForReply: ['running', 'paused', 'stopped'],
  stopped: [],
};

export class VcpuStateError extends Error {
  constructor(readonly from: VcpuState, readonly to: VcpuState) {
    super(`vCPU cannot go from ${from} to ${to}`);
    this.name = 'VcpuStateError';
  }
}

/** Returns `to` if the machine allows from -> to, else throws VcpuStateError. */
export function transition(from: VcpuState, to: VcpuState): VcpuState {
  if (from === to) return to;
  if (!ALLOWED[from].includes(to)) throw new VcpuStateError(from, to);
  return to;
}

export const stateCode = (s: VcpuState) => VCPU_STATES.indexOf(s);
export const stateOfCode = (c: number): VcpuState => VCPU_STATES[c] ?? 'stopped';
