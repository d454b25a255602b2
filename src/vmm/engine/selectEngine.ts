// Chooses the execution engine for --engine emulator|kvm|auto. 'kvm' needs a usable /dev/kvm
// (else a clear notAvailable error naming what is missing); on a PVM host it runs guest ring 0 in
// the software core (hybrid: KVM's own emulator is far slower there and cannot run every ring-0
// instruction, e.g. INT3; the conformance suite test/unit/conformance shows hybrid exact where
// plain KVM is not); 'auto' follows chooseAutoEngine
// (kvm/engineChoice.ts): KVM on VMX/SVM hosts, hybrid KVM where /dev/kvm is PVM (guest kernel code in
// the software core, ring 3 natively), the emulator where KVM is absent or unusable, and says which
// it picked and why.
import { chooseAutoEngine } from '../kvm/engineChoice';
import { HostProbe, probeHost } from '../kvm/hostProbe';
import { KvmEngine } from '../kvm/kvmEngine';
import { EmulatorEngine } from './emulatorEngine';
import { Engine, EngineError } from './engine';

export type EngineChoice = 'emulator' | 'kvm' | 'auto';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['emulator', 'kvm', 'auto'];

/**
 * The engine for `choice`; for 'auto' also one line explaining the pick. `probe` reports what
 * /dev/kvm offers (the real host by default; tests pass a fixed answer). The guest's kind is not
 * known here (engineChoice.ts GuestKind 'unknown').
 */
export function selectEngine(choice: EngineChoice, probe: () => HostProbe = () => probeHost()): { engine: Engine; note?: string } {
  switch (choice) {
    case 'emulator':
      return { engine: new EmulatorEngine() };
    case 'kvm': {
      const host = probe();
      if (!host.usable) throw new EngineError('notAvailable', `the KVM engine cannot run here: ${host.reason}; use --engine emulator`);
      return { engine: new KvmEngine({ softwareKernel: host.backend === 'pvm' }) };
    }
    case 'auto': {
      const picked = chooseAutoEngine(probe(), 'unknown');
      const engine = picked.engine === 'kvm' ? new KvmEngine({ softwareKernel: picked.softwareKernel }) : new EmulatorEngine();
      return { engine, note: `engine ${picked.reason}` };
    }
  }
}
