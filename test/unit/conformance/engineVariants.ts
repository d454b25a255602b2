// The engines the conformance suite compares: the software engine (the reference every other engine
// must match), plain KVM and KVM with the software kernel (guest CPL 0-2 in the software core).
// Each variant says why it cannot run here, so that its tests skip with a visible reason.
import { Engine } from '../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { HostProbe, probeHost } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine } from '../../../src/vmm/kvm/kvmEngine';

export type VariantName = 'emulator' | 'kvm' | 'kvm+softwareKernel';

export interface EngineVariant {
  name: VariantName;
  create(): Engine;
  /** Why this variant cannot run on this machine, or undefined when it can. */
  unavailable(): string | undefined;
}

let probeCache: HostProbe | undefined;
export function hostProbe(): HostProbe {
  probeCache ??= probeHost();
  return probeCache;
}

const kvmUnavailable = () => (hostProbe().usable ? undefined : `KVM is not usable here: ${hostProbe().reason}`);

export const REFERENCE: EngineVariant = { name: 'emulator', create: () => new EmulatorEngine(), unavailable: () => undefined };

/** The engines compared with the reference. */
export const CANDIDATES: readonly EngineVariant[] = [
  { name: 'kvm', create: () => new KvmEngine(), unavailable: kvmUnavailable },
  { name: 'kvm+softwareKernel', create: () => new KvmEngine({ softwareKernel: true }), unavailable: kvmUnavailable },
];

/** Plain KVM on a PVM host: guest ring 0 runs in KVM's own instruction emulator. */
export function isPlainKvmOnPvm(variant: EngineVariant): boolean {
  return variant.name === 'kvm' && hostProbe().backend === 'pvm';
}
