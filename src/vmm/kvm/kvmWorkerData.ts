// What the VMM core gives a KVM vCPU thread at start (workerData; file descriptors are shared by all
// threads of the process) and the KVM-specific messages the thread sends besides the common
// VcpuMessage set of engine/messages.ts.
import type { KvmRunCounters } from './kvmCpuCore';

export interface KvmVcpuWorkerData {
  index: number;
  kvmFd: number;
  vmFd: number;
  memfd: number;
  memoryBytes: number;
  /** Host address of the KVM-side RAM mapping (the same in every thread of the process). */
  kvmMappingAddress: bigint;
  /** KVMI page access per frame (engine.ts PAGE_ACCESS_*). */
  access: SharedArrayBuffer;
  /** Hybrid execution: guest CPL 0-2 in the software core (kvmCpuCore.ts). */
  softwareKernel: boolean;
  control: SharedArrayBuffer;
  ownsDevices: boolean;
  debugDevices: boolean;
}

export type KvmWorkerMessage =
  | { type: 'kvmReady'; tscKhz?: number }
  | { type: 'kvmSetupFailed'; message: string }
  | { type: 'kvmCounters'; counters: KvmRunCounters };
