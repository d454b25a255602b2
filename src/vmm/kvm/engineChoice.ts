// The `engine: "auto"` decision as a pure function of the host probe (hostProbe.ts) and what kind of
// guest is launched. On VMX/SVM hosts KVM runs every guest mode natively, so KVM wins. On PVM hosts
// only guest ring-3 code runs natively; ring-0 and real-mode code goes through KVM's in-kernel
// instruction emulator (about 1-2 us per instruction). There a guest not known to be kernel-only
// gets hybrid execution (KvmEngineOptions.softwareKernel): its ring-0 code runs in the built-in
// software core at the emulator's speed and its ring-3 code natively in KVM, so it is never much
// slower than the emulator and as fast as KVM allows once it runs in ring 3; a guest known to run
// only ring 0 gets the emulator (no KVM set-up for nothing).
import { EngineName } from '../engine/engine';
import { HostProbe } from './hostProbe';

/**
 * What the guest mostly executes: 'kernel' = ring 0 / real mode (bare-metal programs, kernels),
 * 'user' = a workload in ring 3 behind a small ring-0 shim, 'unknown' = not known.
 */
export type GuestKind = 'kernel' | 'user' | 'unknown';

export interface EngineChoice {
  engine: EngineName;
  /** For engine 'kvm': run guest ring 0 in the software core (KvmEngineOptions.softwareKernel). */
  softwareKernel?: boolean;
  reason: string;
}

export function chooseAutoEngine(probe: HostProbe, guest: GuestKind): EngineChoice {
  if (!probe.usable) return { engine: 'emulator', reason: `auto: emulator (KVM not usable: ${probe.reason})` };
  switch (probe.backend) {
    case 'vmx': case 'svm':
      return { engine: 'kvm', softwareKernel: false, reason: `auto: kvm (${probe.reason}; hardware virtualisation runs every guest mode natively)` };
    case 'pvm':
      if (guest !== 'kernel') {
        return { engine: 'kvm', softwareKernel: true, reason: `auto: kvm, hybrid (this /dev/kvm is PVM: the guest's ring-3 code runs natively at host speed; its ring-0 code runs in the built-in emulator rather than in KVM's at <1 MIPS)` };
      }
      return { engine: 'emulator', reason: `auto: emulator (this /dev/kvm is PVM: guest kernel code would run in KVM's emulator at <1 MIPS; only ring-3 code runs natively there, and this guest runs in ring 0)` };
    case 'unknown':
      return { engine: 'emulator', reason: `auto: emulator (${probe.reason}: neither PVM nor VMX/SVM was recognised, so KVM's speed here is unknown)` };
  }
}
