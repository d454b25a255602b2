// The software CPU as the vCPU runner sees it: the bus it executes against, the exits its run()
// returns and the methods the runner calls. This mirrors the contract of X86Cpu (src/vmm/x86/cpu.ts)
// so the runner can be driven by the real core or by a scripted stand-in in tests.
import { KvmRegs, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';

/** Guest-physical memory and devices as seen by the executing CPU. */
export interface CpuBus {
  ram: Uint8Array;
  ioRead(port: number, size: 1 | 2 | 4): number;
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void;
  mmioRead(gpa: number, size: 1 | 2 | 4 | 8): bigint;
  mmioWrite(gpa: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

/** What the introspection side asked to intercept on a vCPU (KVMI vCPU events). */
export interface CpuIntercepts {
  pf: boolean;
  breakpoint: boolean;
  hypercall: boolean;
  crWrite: Set<number>;
  msrWrite: Set<number>;
  descriptor: boolean;
  xsetbv: boolean;
  singlestep: boolean;
}

/** Why run() returned. The event kinds (pf ... singlestep) wait for resume(). */
export type CpuExit =
  | { kind: 'budget' }
  | { kind: 'stopRequested' }
  | { kind: 'hlt' }
  | { kind: 'shutdown'; reason: string }
  | { kind: 'pf'; gva: bigint; gpa: bigint; access: 1 | 2 | 4 }
  | { kind: 'breakpoint'; gpa: bigint; insnLen: number }
  | { kind: 'hypercall' }
  | { kind: 'cr'; cr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'msr'; msr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'xsetbv'; xcr: number; oldValue: bigint; newValue: bigint }
  | { kind: 'descriptor'; descriptor: 1 | 2 | 3 | 4; write: boolean }
  | { kind: 'singlestep' };

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
}

/** Creates the CPU of one vCPU thread. */
export type CpuFactory = (bus: CpuBus, access: Uint8Array, vcpuIndex: number) => CpuCore;

/** A fresh intercept set with nothing intercepted. */
export function noIntercepts(): CpuIntercepts {
  return { pf: false, breakpoint: false, hypercall: false, crWrite: new Set(), msrWrite: new Set(), descriptor: false, xsetbv: false, singlestep: false };
}
