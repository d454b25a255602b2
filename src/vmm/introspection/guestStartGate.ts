// Holds the guest's first instruction until the introspection tool has had its say. The machine
// is started with every vCPU paused; the vCPUs meant to run are released at once unless the tool
// already asked to pause them, in which case they run when that PAUSE event is answered. PAUSE/TRAP
// jobs for a vCPU that has not been started yet wait here, since pausing a vCPU before it starts
// would be undone by the start.
import type { Vm } from '../engine/engine';

export class GuestStartGate {
  private started = false;
  /** vCPUs held paused by the gate: the job loop releases them after their events. */
  private readonly held = new Set<number>();
  private readonly deferred: Array<() => void> = [];

  constructor(private readonly vm: Vm) {}

  /** True once the guest has been started (through release(), or by anyone else). */
  isStarted(vcpu: number): boolean {
    return this.started || this.vm.vcpus[vcpu].state !== 'created';
  }

  /** Runs `job` now if the vCPU can be paused, else when the guest starts. */
  whenStarted(vcpu: number, job: () => void): void {
    if (this.isStarted(vcpu)) job(); else this.deferred.push(job);
  }

  /** True (once) if the gate held this vCPU paused; the caller must unpause it when done. */
  takeHold(vcpu: number): boolean {
    return this.held.delete(vcpu);
  }

  /**
   * Called after the machine started with every vCPU paused: vCPUs in `run` with pending jobs stay
   * held (their job loop unpauses them), the others are unpaused now.
   */
  async release(run: readonly number[], hasJobs: (vcpu: number) => boolean): Promise<void> {
    this.started = true;
    const free = run.filter((v) => !hasJobs(v));
    for (const v of run) if (hasJobs(v)) this.held.add(v);
    for (const job of this.deferred.splice(0)) job();
    await Promise.all(free.map((v) => this.vm.vcpus[v].unpause()));
  }
}
