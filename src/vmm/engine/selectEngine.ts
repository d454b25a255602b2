// Chooses the execution engine for --engine emulator|kvm|auto. Only the software engine exists so
// far: 'kvm' is refused with a clear error, 'auto' picks the emulator and says why, including what
// the host offers (/dev/kvm, and whether it is PVM software virtualisation; see kvm-facts.md).
import { existsSync } from 'node:fs';
import { EmulatorEngine } from './emulatorEngine';
import { Engine, EngineError } from './engine';

export type EngineChoice = 'emulator' | 'kvm' | 'auto';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['emulator', 'kvm', 'auto'];

/** What the host offers for hardware-assisted virtualisation, in words. */
export function describeHostKvm(exists: (path: string) => boolean = existsSync): string {
  if (!exists('/dev/kvm')) return 'no /dev/kvm on this host';
  if (exists('/sys/module/kvm_pvm')) return '/dev/kvm is PVM (software virtualisation: ring-0 guest code would be emulated by the kernel, slowly)';
  if (exists('/sys/module/kvm_intel') || exists('/sys/module/kvm_amd')) return '/dev/kvm is hardware-assisted (VMX/SVM)';
  return '/dev/kvm is present';
}

/** The engine for `choice`, and for 'auto' one line explaining the pick. */
export function selectEngine(choice: EngineChoice, exists?: (path: string) => boolean): { engine: Engine; note?: string } {
  switch (choice) {
    case 'emulator':
      return { engine: new EmulatorEngine() };
    case 'kvm':
      throw new EngineError('notAvailable', `the KVM engine is not available yet (${describeHostKvm(exists)}); use --engine emulator`);
    case 'auto':
      return { engine: new EmulatorEngine(), note: `engine auto: chose the emulator because the KVM engine is not available yet (${describeHostKvm(exists)})` };
  }
}
