// CPUID as the introspection tool reads it (KVMI reference §3.2 KVMI_VCPU_GET_CPUID): one leaf and
// subleaf of a vCPU's CPUID table, or undefined when the table has no such leaf. The software core's
// table is the leaf set x86/exec/cpuid.ts answers (SDM Vol. 2A CPUID); other leaves are absent.
import { CpuCore as X86CoreState } from '../x86/core';
import { cpuidLeaf } from '../x86/exec/cpuid';

export interface CpuidRegisters { eax: number; ebx: number; ecx: number; edx: number }

/** Looks up one leaf of a vCPU's CPUID table; undefined = the leaf is not in the table. */
export type CpuidSource = (fn: number, index: number) => CpuidRegisters | undefined;

/** The leaves cpuidLeaf() defines: basic 0, 1, 0xD and extended 0x80000000-0x80000004, 0x80000008. */
const SOFTWARE_CORE_LEAVES: ReadonlySet<number> = new Set([
  0x0, 0x1, 0xd, 0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0003, 0x8000_0004, 0x8000_0008,
]);

/**
 * The software engine's CPUID table (the x86 core's), as the guest's CPUID instruction sees it now.
 * cpuidLeaf() reads only CR4 (OSXSAVE mirrors CR4.OSXSAVE) from the core, so any CPU that can report
 * its CR4 (also a substituted test CPU) is served the same table.
 */
export function softwareCoreCpuid(readCr4: () => bigint): CpuidSource {
  return (fn, index) => {
    if (!SOFTWARE_CORE_LEAVES.has(fn >>> 0)) return undefined;
    const view = { cr4: Number(readCr4() & 0xffff_ffffn) } as Pick<X86CoreState, 'cr4'> as X86CoreState;
    const [eax, ebx, ecx, edx] = cpuidLeaf(view, fn >>> 0, index >>> 0);
    return { eax, ebx, ecx, edx };
  };
}
