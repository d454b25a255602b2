// The KVMI intercept set of a KVM vCPU (the CpuIntercepts the shared runner writes with
// setIntercepts): flags the KVM engine can honour exactly are stored, the others refused with a
// KvmError naming the event, so that no intercepted event is silently missed.
import type { CpuIntercepts } from '../engine/cpuCore';
import { KvmError } from './kvmError';

/** Intercepts whose events ring-3 code can raise (INT3, VMCALL, SGDT/SIDT/SLDT/STR, any instruction). */
export const RING3_REACHABLE_INTERCEPTS = ['breakpoint', 'hypercall', 'descriptor', 'singlestep'] as const;

/** True while an intercept that ring-3 code can trigger is on: the vCPU must then stay in the software core. */
export function needsSoftwareRing3(i: CpuIntercepts): boolean {
  return RING3_REACHABLE_INTERCEPTS.some((key) => i[key]);
}

/**
 * The intercept set. PF (watched pages) is always available: natively executed accesses reach the
 * software core through host protection. With the software kernel every intercept is available:
 * CPL 0 code runs in the software core, so CR and MSR writes and XSETBV (privileged instructions)
 * are exact; breakpoint, hypercall, descriptor and single-step events can also come from ring 3,
 * so while one of them is on the vCPU stays in the software core in ring 3 too (kvmCpuCore.ts).
 * Without the software kernel all but PF are refused.
 */
export function kvmIntercepts(softwareKernel: boolean): CpuIntercepts {
  const refuse = (name: string) => {
    throw new KvmError('badArgument', `the KVM engine cannot deliver KVMI ${name} events${softwareKernel ? '' : ' without softwareKernel'}; use the emulator engine`);
  };
  const values = {
    pf: false, xsetbv: false, breakpoint: false, hypercall: false, descriptor: false, singlestep: false,
    crWrite: new Set<number>(), msrWrite: new Set<number>(),
  };
  const result = {} as CpuIntercepts;
  const allowed = (key: string) => key === 'pf' || softwareKernel;
  for (const key of ['pf', 'xsetbv', ...RING3_REACHABLE_INTERCEPTS] as const) {
    Object.defineProperty(result, key, { enumerable: true, get: () => values[key], set: (on: boolean) => { if (on && !allowed(key)) refuse(key); values[key] = on; } });
  }
  for (const key of ['crWrite', 'msrWrite'] as const) {
    Object.defineProperty(result, key, {
      enumerable: true, get: () => values[key],
      set: (set: Set<number>) => { if (set.size > 0 && !allowed(key)) refuse(key === 'crWrite' ? 'CR-write' : 'MSR-write'); values[key] = set; },
    });
  }
  return result;
}
