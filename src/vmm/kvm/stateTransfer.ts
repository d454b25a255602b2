// Moves a vCPU's architectural state between KVM and the software x86 core (X86Cpu) for hybrid
// execution: general registers, RIP/RFLAGS, segment/descriptor-table/control registers and EFER
// (kvm_sregs), the MSRs that SYSCALL/SYSENTER/SWAPGS and paging use (SDM Vol. 4 Table 2-2), and the
// XSAVE image (x87/SSE/AVX state, SDM Vol. 1 chapter 13). The APIC base, CR8 and the pending
// interrupt bitmap stay KVM's: the software core models no local APIC. For one general instruction
// (generalInstruction.ts) only the general registers need to move, and the segment registers only
// when they differ from what the software core already holds: kvmToSoftwareGeneral/softwareToKvmGeneral.
import { CpuCore } from '../engine/cpuCore';
import { KvmRegs, KvmSregs, MSR } from '../x86/kvmState';
import { KvmError } from './kvmError';
import { KvmVcpuFd } from './kvmVcpuFd';

/** MSRs carried across; FS/GS base travel inside kvm_sregs, EFER too. */
export const TRANSFERRED_MSRS: readonly number[] = [
  MSR.STAR, MSR.LSTAR, MSR.CSTAR, MSR.SFMASK, MSR.KERNEL_GS_BASE,
  MSR.IA32_SYSENTER_CS, MSR.IA32_SYSENTER_ESP, MSR.IA32_SYSENTER_EIP, MSR.IA32_PAT, MSR.TSC_AUX,
];

/**
 * What KVM keeps while the software core runs (restored on the way back), and what it holds of the
 * MSRs and XSAVE image (`held`, once they were read), so that the way back writes only what the
 * software core changed. KVM does not run while the software core has the state, so its values
 * are still the ones read.
 */
export interface KvmOnlyState { apicBase: bigint; cr8: bigint; interruptBitmap: KvmSregs['interrupt_bitmap']; held?: KvmHeldRest }

/** The MSRs (TRANSFERRED_MSRS that KVM reported) and the XSAVE image, as read from KVM. */
export interface KvmHeldRest { msrs: ReadonlyMap<number, bigint>; xsave: Uint8Array }

/**
 * The state in the XSAVE legacy region (the FXSAVE image, SDM Vol. 1 Table 10-2), all the software
 * core models: FCW to MXCSR (bytes 0-27) and ST0-ST7, XMM0-XMM15 (32-415). Left out: MXCSR_MASK
 * (28-31, a read-only capability that FXRSTOR/XRSTOR ignore) and the reserved and software-available
 * bytes 416-511.
 */
const XSAVE_LEGACY_STATE: readonly (readonly [number, number])[] = [[0, 28], [32, 416]];
/** XSTATE_BV, the first field of the XSAVE header (SDM Vol. 1 13.4.2); bits 0 and 1: x87 and SSE state. */
const XSTATE_BV = 512;

/** RFLAGS.RF (SDM Vol. 3A 18.3.1.1). */
const RFLAGS_RF = 1n << 16n;

/**
 * KVM state -> software core. `stoppedByHostFault`: KVM_RUN returned EFAULT before the instruction;
 * the host's fault path leaves RFLAGS.RF set in that state although the guest took no fault, so
 * RF is cleared (the guest's own state before the instruction).
 */
export function kvmToSoftware(kvm: KvmVcpuFd, cpu: CpuCore, stoppedByHostFault: boolean, knownMsrs?: ReadonlyMap<number, bigint>): KvmOnlyState {
  const sregs = kvm.getSregs();
  cpu.setSregs(sregs);
  const regs = kvm.getRegs();
  if (stoppedByHostFault) regs.rflags &= ~RFLAGS_RF;
  cpu.setRegs(regs);
  return { ...keptByKvm(sregs), held: kvmToSoftwareRest(kvm, cpu, knownMsrs) };
}

/** What stays KVM's, from KVM's kvm_sregs. */
export const keptByKvm = (sregs: KvmSregs): KvmOnlyState => ({ apicBase: sregs.apic_base, cr8: sregs.cr8, interruptBitmap: sregs.interrupt_bitmap });

/**
 * KVM state -> software core for one general instruction after a host protection fault: the
 * general registers (RF cleared, as in kvmToSoftware), and KVM's kvm_sregs `sregs` unless undefined
 * (the software core holds KVM's current segment and control registers already).
 */
export function kvmToSoftwareGeneral(cpu: CpuCore, regs: KvmRegs, sregs: KvmSregs | undefined): void {
  if (sregs) cpu.setSregs(sregs);
  regs.rflags &= ~RFLAGS_RF;
  cpu.setRegs(regs);
}

/**
 * The MSRs and the XSAVE image, KVM -> software core (what kvmToSoftwareGeneral leaves out).
 * `knownMsrs`: the MSR values KVM is known to hold (what softwareToKvm left there, when only
 * ring-3 code ran in KVM since, which cannot change them), read instead of asking KVM.
 */
export function kvmToSoftwareRest(kvm: KvmVcpuFd, cpu: CpuCore, knownMsrs?: ReadonlyMap<number, bigint>): KvmHeldRest {
  const msrs = knownMsrs ?? kvm.getMsrs(TRANSFERRED_MSRS);
  for (const [index, value] of msrs) cpu.setMsr(index, value);
  const xsave = kvm.getXsave();
  try {
    cpu.setXsave(xsave);
  } catch (e) {
    throw new KvmError('badArgument', `the software core refused KVM's XSAVE image: ${(e as Error).message}`);
  }
  return { msrs, xsave };
}

/**
 * Software core -> KVM: everything kvmToSoftware moved (`rest`: also the MSRs and XSAVE image).
 * Returns the TRANSFERRED_MSRS values KVM holds afterwards, when known (undefined otherwise).
 */
export function softwareToKvm(cpu: CpuCore, kvm: KvmVcpuFd, kept: KvmOnlyState, rest = true, sregs = cpu.getSregs()): Map<number, bigint> | undefined {
  kvm.setSregs({ ...sregs, apic_base: kept.apicBase, cr8: kept.cr8, interrupt_bitmap: kept.interruptBitmap });
  kvm.setRegs(cpu.getRegs());
  if (!rest) return undefined;
  const held = kept.held;
  const msrs = [];
  for (const index of TRANSFERRED_MSRS) {
    const data = cpu.getMsr(index);
    if (data !== undefined && held?.msrs.get(index) !== data) msrs.push({ index, data });
  }
  const accepted = msrs.length > 0 ? kvm.setMsrs(msrs) : 0;
  let holds: Map<number, bigint> | undefined;
  if (held && accepted === msrs.length) {
    holds = new Map(held.msrs);
    for (const m of msrs) holds.set(m.index, m.data);
  }
  const image = cpu.getXsave();
  if (!held) { kvm.setXsave(image); return holds; }
  // KVM keeps the rest of its image (header, AVX and later components) and is written only if the
  // x87/SSE state changed.
  if (XSAVE_LEGACY_STATE.every(([from, to]) => Buffer.compare(image.subarray(from, to), held.xsave.subarray(from, to)) === 0)) return holds;
  const merged = held.xsave.slice();
  for (const [from, to] of XSAVE_LEGACY_STATE) merged.set(image.subarray(from, to), from);
  merged[XSTATE_BV] |= 3;
  kvm.setXsave(merged);
  return holds;
}
