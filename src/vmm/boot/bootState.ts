// The register state a loader hands to the boot vCPU, and the result of loading a guest.
import { KvmRegs, KvmSregs } from '../x86/kvmState';

export type BootFormat = 'pvh' | 'elf64' | 'raw';

export interface BootPlan {
  format: BootFormat;
  regs: KvmRegs;
  sregs: KvmSregs;
  /** One line for logs: which protocol and where execution starts. */
  description: string;
}

/** CR0 bits (SDM Vol. 3A 2.5). */
export const CR0_PE = 0x1n;
export const CR0_ET = 0x10n;
export const CR0_PG = 0x80000000n;
/** CR0 after reset: CD, NW and ET set (SDM Vol. 3A 9.1.1, Table 9-1). */
export const CR0_RESET = 0x60000010n;
/** CR4.PAE (SDM Vol. 3A 2.5). */
export const CR4_PAE = 0x20n;
/** IA32_EFER.LME and LMA (SDM Vol. 3A 2.2.1). */
export const EFER_LME = 0x100n;
export const EFER_LMA = 0x400n;
export const RFLAGS_RESERVED_1 = 0x2n;
