// Messages between the VMM core (main thread) and a vCPU thread. Commands carry an id and get
// exactly one response with the same id (but for UNANSWERED). Structured clone carries bigint and
// Set unchanged.
import { KvmRegs, KvmSregs } from '../x86/kvmState';
import { CpuIntercepts } from './cpuCore';
import { EngineStats, EventAction } from './engine';
import { EventReplyData } from './vcpuEvents';
import { VmStopReason } from './vmStop';

/** What the VMM core asks a vCPU thread to do. */
export type VcpuCommandBody =
  | { op: 'start'; paused: boolean }
  | { op: 'pause' }
  | { op: 'unpause' }
  | { op: 'stop' }
  | { op: 'getRegs' }
  | { op: 'setRegs'; regs: KvmRegs }
  | { op: 'getSregs' }
  | { op: 'setSregs'; sregs: KvmSregs }
  | { op: 'getMsr'; index: number }
  | { op: 'setMsr'; index: number; value: bigint }
  | { op: 'getEventMsrs' }
  | { op: 'getXsave' }
  | { op: 'setXsave'; buf: Uint8Array }
  | { op: 'getXcr0' }
  | { op: 'mode' }
  | { op: 'translate'; gva: bigint }
  | { op: 'cpuid'; fn: number; index: number }
  | { op: 'setIntercepts'; change: Partial<CpuIntercepts> }
  | { op: 'injectException'; vector: number; errorCode?: number; cr2?: bigint }
  | { op: 'reply'; seq: number; action: EventAction; data?: EventReplyData }
  | { op: 'serialInput'; bytes: Uint8Array }
  | { op: 'memoryWritten'; gpa: number; length: number };

export type VcpuCommand = VcpuCommandBody & { id: number };

/** The id of a command nobody waits for (EmulatorVcpu.post): the thread sends no response to it. */
export const UNANSWERED = 0;

/** What a vCPU thread tells the VMM core. */
export type VcpuMessage =
  | { type: 'response'; id: number; ok: true; value?: unknown }
  | { type: 'response'; id: number; ok: false; error: string }
  | { type: 'serial'; bytes: Uint8Array }
  | { type: 'ended'; reason: VmStopReason }
  | { type: 'stats'; stats: Omit<EngineStats, 'engine'> }
  /** The thread's last message: it holds no VM resource any more and only has to exit (workerEntry.ts). */
  | { type: 'released' };

/** Start-up data of a vCPU thread (workerData). */
export interface VcpuWorkerData {
  index: number;
  ram: SharedArrayBuffer;
  access: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** vCPU 0 owns the legacy devices (see machine/legacyDevices.ts). */
  ownsDevices: boolean;
  debugDevices: boolean;
  /** Module exporting `createCpu: CpuFactory`; unset = the software x86 core. Used by tests. */
  cpuModule?: string;
}
