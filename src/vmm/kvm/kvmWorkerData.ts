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
  control: SharedArrayBuffer;
  ownsDevices: boolean;
  debugDevices: boolean;
}

export type KvmWorkerMessage =
  | { type: 'kvmReady' }
  | { type: 'kvmSetupFailed'; message: string }
  | { type: 'kvmCounters'; counters: KvmRunCounters };
