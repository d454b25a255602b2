// The software CPU as the vCPU runner sees it: the members of X86Cpu (src/vmm/x86/cpu.ts) the
// runner calls, as an interface, so the runner can be driven by the real core or by a scripted
// stand-in in tests. The bus, intercept and exit types are the x86 core's own (type-only imports).
import type { CpuBus, CpuExit, CpuIntercepts } from '../x86/cpu';
import { KvmRegs, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';

export type { CpuBus, CpuExit, CpuIntercepts };
export { noIntercepts } from '../x86/cpu';

/** The exits that are KVMI events (answered with an action before the vCPU goes on). */
export type CpuEventExit = Extract<CpuExit, { kind: 'pf' | 'breakpoint' | 'hypercall' | 'cr' | 'msr' | 'xsetbv' | 'descriptor' | 'singlestep' }>;

export const EVENT_EXIT_KINDS: ReadonlySet<CpuExit['kind']> = new Set(['pf', 'breakpoint', 'hypercall', 'cr', 'msr', 'xsetbv', 'descriptor', 'singlestep']);

export function isEventExit(exit: CpuExit): exit is CpuEventExit {
  return EVENT_EXIT_KINDS.has(exit.kind);
}

/** The X86Cpu members the vCPU runner uses. */
export interface CpuCore {
  intercepts: CpuIntercepts;
  readonly instructions: number;
  run(maxInstructions: number): CpuExit;
  requestStop(): void;
  resume(action: 'continue' | 'retry', reply?: { newValue?: bigint }): void;
  getRegs(): KvmRegs;
  setRegs(regs: KvmRegs): void;
  getSregs(): KvmSregs;
  setSregs(sregs: KvmSregs): void;
  getMsr(index: number): bigint | undefined;
  setMsr(index: number, value: bigint): boolean;
  getEventMsrs(): KvmiEventMsrs;
  getXcr0(): bigint;
  getXsave(): Uint8Array;
  setXsave(buf: Uint8Array): void;
  mode(): 2 | 4 | 8;
  translate(gva: bigint): bigint | undefined;
  injectException(vector: number, errorCode?: number, cr2?: bigint): void;
  raiseInterrupt(vector: number): void;
  /** Drives the INTR line of a PIC; `acknowledge` is the INTA cycle returning the vector. */
  setIrqLine(asserted: boolean, acknowledge?: () => number): void;
  /** True when RFLAGS.IF and the interrupt shadow allow a pending interrupt to be taken now. */
  interruptDeliverable(): boolean;
  /** Guest RAM [gpa, gpa+length) changed behind the CPU's back: drop decoded code for it. */
  memoryWritten(gpa: number, length: number): void;
  accessChanged(): void;
  reset(): void;
  /** The vCPU thread is about to sleep until a command, reply or timer wakes it (optional). */
  idle?(): void;
}

/** Creates the CPU of one vCPU thread. */
export type CpuFactory = (bus: CpuBus, access: Uint8Array, vcpuIndex: number) => CpuCore;
