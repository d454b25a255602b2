// The KVM engine: a VM on Linux /dev/kvm (api.rst 4.2 KVM_CREATE_VM, 4.35 memory slots), guest RAM
// in a memfd mapped twice (guestMemory.ts), one worker thread per vCPU (kvmVcpuWorker.ts) running
// KVM_RUN under the shared VcpuRunner, and the VMM-core side of the Vm interface. The first vCPU to
// end ends the VM, as in the software engine. No in-kernel irqchip is created: the legacy PIC model
// of the boot vCPU injects external interrupts with KVM_INTERRUPT.
import { Worker } from 'node:worker_threads';
import { Engine, EngineError, EngineStats, Vm, VmConfig } from '../engine/engine';
import { validateVmConfig } from '../engine/emulatorEngine';
import { EmulatorVcpu } from '../engine/emulatorVcpu';
import type { CpuidRegisters } from '../engine/guestCpuid';
import { WorkerThreadVm } from '../engine/workerThreadVm';
import { vcpuWorkerEntry } from '../engine/workerEntry';
import { GuestMemory } from './guestMemory';
import { KVM_API_VERSION, KVM_IOCTL } from './kvmAbi';
import { emptyKvmCounters, KvmRunCounters } from './kvmCpuCore';
import { lookupCpuid, supportedCpuid, type KvmCpuidEntry } from './kvmCpuidTable';
import { KvmError } from './kvmError';
import { encodeMemoryRegion } from './kvmStructs';
import { KvmVcpuWorkerData, KvmWorkerMessage } from './kvmWorkerData';
import { check, libc, O_CLOEXEC, O_RDWR, retryInterrupted } from './libc';

/** Three pages below 4 GiB that VMX needs for real-mode support (api.rst 4.44, 4.60); unused on SVM/PVM. */
const TSS_ADDR = 0xfffbd000;
const IDENTITY_MAP_ADDR = 0xfffbc000n;

export interface KvmEngineOptions {
  /** The KVM device node (default /dev/kvm). */
  devicePath?: string;
  /**
   * Run guest code at CPL 0-2 in the software x86 core and only ring 3 in KVM (hybrid execution,
   * worth it where KVM emulates ring 0, i.e. on PVM hosts). Kernel entries from ring 3 are caught
   * at the frames of the IDT/SYSCALL/SYSENTER entry points, which must not share a frame with the
   * IDT, GDT, TSS or the kernel stack. Default false.
   */
  softwareKernel?: boolean;
}

export class KvmEngine implements Engine {
  /** Guest CPL 0-2 code runs in the software core (KvmEngineOptions.softwareKernel). */
  get softwareKernel(): boolean { return this.options.softwareKernel ?? false; }
  readonly name = 'kvm' as const;
  private readonly devicePath: string;

  constructor(private readonly options: KvmEngineOptions = {}) {
    this.devicePath = options.devicePath ?? '/dev/kvm';
  }

  async createVm(config: VmConfig): Promise<Vm> {
    validateVmConfig(config);
    let c;
    try { c = libc(); } catch (e) { throw new EngineError('notAvailable', (e as Error).message); }
    const kvmFd = c.open(this.devicePath, O_RDWR | O_CLOEXEC, 0);
    if (kvmFd < 0) throw new EngineError('notAvailable', `cannot open ${this.devicePath}: ${c.strerror(c.koffi.errno())}`);
    const version = c.ioctlInt(kvmFd, KVM_IOCTL.KVM_GET_API_VERSION, 0);
    if (version !== KVM_API_VERSION) {
      c.close(kvmFd);
      throw new EngineError('notAvailable', `${this.devicePath} reports KVM API version ${version}, not ${KVM_API_VERSION}`);
    }
    const vm = new KvmVm(config, kvmFd, this.options.softwareKernel ?? false);
    await vm.ready;
    return vm;
  }
}

/** A KVM vCPU: the shared thread handle, with CPUID answered from the table KVM_SET_CPUID2 received. */
class KvmVcpu extends EmulatorVcpu {
  constructor(index: number, worker: Worker, control: Int32Array, private readonly cpuidTable: readonly KvmCpuidEntry[]) {
    super(index, worker, control);
  }

  override async cpuid(fn: number, index: number): Promise<CpuidRegisters | undefined> {
    return lookupCpuid(this.cpuidTable, this.index, fn, index);
  }
}

export class KvmVm extends WorkerThreadVm {
  readonly engine = 'kvm' as const;
  /** Resolves once every vCPU thread has created its vCPU; rejects with the first setup failure. */
  readonly ready: Promise<void>;
  /** The guest TSC frequency KVM reports for vCPU 0 (KVMI VCPU_GET_INFO tsc_speed), once ready. */
  tscHz: bigint | undefined;
  private readonly vmFd: number;
  private readonly memory: GuestMemory;
  private readonly totals = { runnerSlices: 0, events: 0 };
  private readonly kvm = emptyKvmCounters();

  constructor(config: VmConfig, private readonly kvmFd: number, softwareKernel: boolean) {
    const c = libc();
    const vmFd = check(retryInterrupted(() => c.ioctlInt(kvmFd, KVM_IOCTL.KVM_CREATE_VM, 0)), 'vmSetup', 'KVM_CREATE_VM');
    const memory = new GuestMemory(config.memoryBytes);
    super(config, memory.vmmMapping.bytes);
    this.vmFd = vmFd;
    this.memory = memory;
    const cpuidTable = supportedCpuid(kvmFd);
    check(c.ioctlInt(this.vmFd, KVM_IOCTL.KVM_SET_TSS_ADDR, TSS_ADDR), 'vmSetup', 'KVM_SET_TSS_ADDR');
    const idMap = new Uint8Array(8);
    new DataView(idMap.buffer).setBigUint64(0, IDENTITY_MAP_ADDR, true);
    check(c.ioctlPtr(this.vmFd, KVM_IOCTL.KVM_SET_IDENTITY_MAP_ADDR, idMap), 'vmSetup', 'KVM_SET_IDENTITY_MAP_ADDR');
    check(c.ioctlPtr(this.vmFd, KVM_IOCTL.KVM_SET_USER_MEMORY_REGION, encodeMemoryRegion({
      slot: 0, flags: 0, guestPhysAddr: 0n, memorySize: BigInt(config.memoryBytes), userspaceAddr: this.memory.kvmMapping.address,
    })), 'vmSetup', 'KVM_SET_USER_MEMORY_REGION (slot 0, guest RAM)');
    const entry = vcpuWorkerEntry(__dirname, 'kvmVcpuWorker', __filename.endsWith('.ts'));
    const readiness: Promise<void>[] = [];
    for (let index = 0; index < config.vcpus; index++) {
      const workerData: KvmVcpuWorkerData = {
        index, kvmFd, vmFd: this.vmFd, memfd: this.memory.memfd, memoryBytes: config.memoryBytes, control: this.controlBuffer,
        kvmMappingAddress: this.memory.kvmMapping.address, access: this.accessBuffer, softwareKernel,
        ownsDevices: index === 0, debugDevices: config.debugDevices ?? false,
      };
      const worker = new Worker(entry.script, { eval: entry.eval, workerData, stdout: false, stderr: false });
      readiness.push(new Promise((resolve, reject) => {
        this.addVcpu(worker, new KvmVcpu(index, worker, this.control, cpuidTable), (m) => {
          const k = m as KvmWorkerMessage;
          switch (k.type) {
            case 'kvmReady':
              if (index === 0 && k.tscKhz !== undefined) this.tscHz = BigInt(k.tscKhz) * 1000n;
              resolve();
              return true;
            case 'kvmSetupFailed':
              reject(new EngineError('notAvailable', `vCPU ${index}: ${k.message}`));
              this.end({ kind: 'error', message: k.message, vcpu: index });
              return true;
            case 'kvmCounters':
              for (const key of Object.keys(this.kvm) as (keyof KvmRunCounters)[]) this.kvm[key] += k.counters[key];
              return true;
            default: return false;
          }
        });
        worker.on('error', (e) => reject(e));
      }));
    }
    this.ready = Promise.all(readiness).then(() => undefined, async (e) => { await this.finished; throw e; });
  }

  /**
   * Writes through the VMM's mapping of the memfd. KVM runs guest code straight from RAM, so code
   * changes take effect at once; a PVM host's shadow page tables do not see writes to guest page
   * tables made this way until the guest reloads CR3 or invalidates the entry. (KVMI page access:
   * each vCPU thread protects the changed frames in KVM's mapping before its next KVM_RUN,
   * pageProtection.ts; natively executed accesses then come back before the instruction.)
   */
  writeGuest(gpa: number, bytes: Uint8Array): void {
    this.checkRange(gpa, bytes.length);
    this.ram.set(bytes, gpa);
  }

  /** exits = KVM_RUN returns (every exit, including kicks); instructions = those of the software core. */
  stats(): EngineStats { return { engine: 'kvm', instructions: this.kvm.softwareSteps, exits: this.kvm.exits, events: this.totals.events }; }

  /** KVM exit counts by kind, summed over vCPUs (complete once `finished` has resolved). */
  kvmCounters(): KvmRunCounters { return { ...this.kvm }; }

  protected addStats(stats: Omit<EngineStats, 'engine'>): void {
    this.totals.runnerSlices += stats.exits;
    this.totals.events += stats.events;
  }

  /** The last thread is gone: release the VM and the KVM-side RAM mapping. */
  protected override released(): void {
    const c = libc();
    c.close(this.vmFd);
    c.close(this.kvmFd);
    this.memory.releaseKvmSide();
  }
}

export { KvmError };
