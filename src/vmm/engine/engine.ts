// The interface every execution engine implements (the software emulator now, KVM later), used by
// the VMM core on the main thread. All vCPU operations are promises: a vCPU runs in its own thread
// and answers commands between run slices, while paused, and while it waits for an event reply.
// KVMI semantics this interface carries: per-gfn page access (kvmi-protocol.md section 5) and
// per-vCPU intercepts whose hits arrive as VcpuEvent (section 4), each answered once via reply().
import { KvmRegs, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';
import { CpuIntercepts } from './cpuCore';
import { CpuidRegisters } from './guestCpuid';
import { VcpuEvent } from './vcpuEvents';
import { VcpuState } from './vcpuState';
import { VmStopReason } from './vmStop';

export type EngineName = 'emulator' | 'kvm';

export interface VmConfig {
  /** Guest RAM in bytes, a multiple of 4 KiB, mapped at guest-physical 0. */
  memoryBytes: number;
  vcpus: number;
  /** Receives the guest's COM1 output, in batches. */
  serialOutput?: (bytes: Uint8Array) => void;
  /** Logs unclaimed port/MMIO accesses (the device debug flag). */
  debugDevices?: boolean;
}

/** KVMI page access bits (allowed accesses); 7 = unrestricted. */
export const PAGE_ACCESS_R = 1;
export const PAGE_ACCESS_W = 2;
export const PAGE_ACCESS_X = 4;
export const PAGE_ACCESS_ALL = 7;

export interface PageAccessEntry { gpa: bigint; access: number }

export interface EngineStats {
  engine: EngineName;
  instructions: number;
  /** Returns of the CPU's run loop to the vCPU thread (budget slices, HLT, I/O stops, events). */
  exits: number;
  /** KVMI events delivered to the VMM core. */
  events: number;
}

export type EventAction = 'continue' | 'retry' | 'crash';

/** One vCPU seen from the VMM core. */
export interface Vcpu {
  readonly index: number;
  readonly state: VcpuState;
  /** Stops the vCPU between slices; resolves once it is paused (or, if waiting for a reply, once answered). */
  pause(): Promise<void>;
  /** paused -> running. */
  unpause(): Promise<void>;
  getRegs(): Promise<KvmRegs>;
  setRegs(regs: KvmRegs): Promise<void>;
  getSregs(): Promise<KvmSregs>;
  setSregs(sregs: KvmSregs): Promise<void>;
  getMsr(index: number): Promise<bigint | undefined>;
  setMsr(index: number, value: bigint): Promise<boolean>;
  getEventMsrs(): Promise<KvmiEventMsrs>;
  getXsave(): Promise<Uint8Array>;
  setXsave(buf: Uint8Array): Promise<void>;
  getXcr0(): Promise<bigint>;
  mode(): Promise<2 | 4 | 8>;
  /** Guest-virtual to guest-physical through this vCPU's current paging, without side effects. */
  translate(gva: bigint): Promise<bigint | undefined>;
  /**
   * One leaf/subleaf of the vCPU's CPUID table (KVMI_VCPU_GET_CPUID); undefined when the table has no
   * such leaf. Rejects with EngineError 'notAvailable' when the vCPU has no table to read.
   */
  cpuid(fn: number, index: number): Promise<CpuidRegisters | undefined>;
  /** Changes the listed intercepts; the others keep their value. */
  setIntercepts(change: Partial<CpuIntercepts>): Promise<void>;
  injectException(vector: number, errorCode?: number, cr2?: bigint): Promise<void>;
}

/** A running virtual machine. */
export interface Vm {
  readonly engine: EngineName;
  readonly vcpus: readonly Vcpu[];
  /**
   * Guest RAM, shared with the vCPU threads. Reading is always fine; writing code through this view
   * bypasses the vCPUs' decoded-instruction caches: use writeGuest() for anything that may execute.
   */
  readonly ram: Uint8Array;
  readGuest(gpa: number, length: number): Uint8Array;
  writeGuest(gpa: number, bytes: Uint8Array): void;
  /** Sets the allowed-access bits of each entry's frame (gpa >> 12) in one batch. */
  setPageAccess(entries: readonly PageAccessEntry[]): void;
  getPageAccess(gpa: bigint): number;
  /** Starts all vCPUs (created -> running); with `paused`, they wait for unpause(). */
  start(options?: { paused?: boolean }): void;
  /** Subscribes to vCPU events; with no subscriber, events are answered 'continue'. */
  onEvent(handler: (event: VcpuEvent) => void): void;
  /** Queues bytes on COM1's receive side. */
  serialInput(bytes: Uint8Array): void;
  /** Ends the VM ('stopped') if it is still running. */
  stop(): Promise<void>;
  /**
   * Ends the VM with the 'crash' stop reason of `vcpu` (at `rip` when known), as an event answered
   * CRASH does (KVMI reference §4.3), for a CRASH answered outside the engine (PAUSE, TRAP).
   */
  crash(vcpu: number, rip?: bigint): Promise<void>;
  /** Resolves once when the VM has ended, with the reason. */
  readonly finished: Promise<VmStopReason>;
  stats(): EngineStats;
}

export interface Engine {
  readonly name: EngineName;
  createVm(config: VmConfig): Promise<Vm>;
}

export type EngineErrorKind = 'badConfig' | 'notAvailable' | 'vcpuStopped' | 'badReply' | 'badAddress' | 'commandFailed';

/** A refused engine operation. */
export class EngineError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
