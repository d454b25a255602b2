// The KVMI intercept set of a KVM vCPU (the CpuIntercepts the shared runner writes with
// setIntercepts): flags the KVM engine can honour exactly are stored, the others refused with a
// KvmError naming the event, so that no intercepted event is silently missed.
import type { CpuIntercepts } from '../engine/cpuCore';
import { KvmError } from './kvmError';

/**
 * The intercept set. PF (watched pages) is always available: natively executed accesses reach the
 * software core through host protection. With the software kernel, the events that only privileged
 * instructions raise -- CR and MSR writes, XSETBV -- are exact too, since all CPL 0 code runs in the
 * software core. The others (breakpoint, hypercall, descriptor, singlestep) could happen in ring-3
 * code that KVM runs and are refused rather than silently missed.
 */
export function kvmIntercepts(softwareKernel: boolean): CpuIntercepts {
  const refuse = (name: string) => {
    throw new KvmError('badArgument', `the KVM engine cannot deliver KVMI ${name} events${softwareKernel ? '' : ' without softwareKernel'}; use the emulator engine`);
  };
  const values = { pf: false, xsetbv: false, crWrite: new Set<number>(), msrWrite: new Set<number>() };
  const result = {} as CpuIntercepts;
  const allowed = (key: string) => key === 'pf' || softwareKernel;
  for (const key of ['pf', 'xsetbv'] as const) {
    Object.defineProperty(result, key, { enumerable: true, get: () => values[key], set: (on: boolean) => { if (on && !allowed(key)) refuse(key); values[key] = on; } });
  }
  for (const key of ['crWrite', 'msrWrite'] as const) {
    Object.defineProperty(result, key, {
      enumerable: true, get: () => values[key],
      set: (set: Set<number>) => { if (set.size > 0 && !allowed(key)) refuse(key === 'crWrite' ? 'CR-write' : 'MSR-write'); values[key] = set; },
    });
  }
  for (const key of ['breakpoint', 'hypercall', 'descriptor', 'singlestep'] as const) {
    Object.defineProperty(result, key, { enumerable: true, get: () => false, set: (on: boolean) => { if (on) refuse(key); } });
  }
  return result;
}
