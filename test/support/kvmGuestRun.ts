// A test guest run to its end on the KVM engine (32 MiB, one vCPU): its COM1 output, stop reason
// and the engine's run counters, for the KVM tests that check what the engine did on the way.
import { KvmEngine, type KvmVm } from '../../src/vmm/kvm/kvmEngine';
import type { KvmRunCounters } from '../../src/vmm/kvm/kvmCpuCore';
import type { VmStopReason } from '../../src/vmm/engine/vmStop';
import { guestMachine } from './guestMachine';

export async function runOnKvm(guest: string, softwareKernel: boolean): Promise<{ stdout: string; stop: VmStopReason; counters: KvmRunCounters }> {
  const { machine, output } = await guestMachine(new KvmEngine({ softwareKernel }), guest);
  await machine.start();
  const stop = await machine.vm.finished;
  return { stdout: output(), stop, counters: (machine.vm as KvmVm).kvmCounters() };
}
