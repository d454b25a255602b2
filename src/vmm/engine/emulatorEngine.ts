// The software engine: guest RAM and the KVMI access array in SharedArrayBuffers, one worker
// thread per vCPU running the x86 core (vcpuWorker.ts); the VMM-core side of the Vm interface is
// workerThreadVm.ts.
import { Worker } from 'node:worker_threads';
import { Engine, EngineError, EngineStats, Vm, VmConfig } from './engine';
import { EmulatorVcpu } from './emulatorVcpu';
import { VcpuWorkerData } from './messages';
import { WorkerThreadVm } from './workerThreadVm';
import { vcpuWorkerEntry } from './workerEntry';

export const PAGE_SIZE = 4096;
export const MIN_MEMORY_BYTES = 1 << 20;
export const MAX_MEMORY_BYTES = 3072 * (1 << 20);   // below the 32-bit PCI hole; one SharedArrayBuffer
export const MAX_VCPUS = 64;

export function validateVmConfig(c: VmConfig): void {
  if (!Number.isInteger(c.memoryBytes) || c.memoryBytes % PAGE_SIZE !== 0) {
    throw new EngineError('badConfig', `guest memory must be a whole number of 4 KiB pages, got ${c.memoryBytes} bytes`);
  }
  if (c.memoryBytes < MIN_MEMORY_BYTES || c.memoryBytes > MAX_MEMORY_BYTES) {
    throw new EngineError('badConfig', `guest memory must be between 1 and 3072 MiB, got ${c.memoryBytes / (1 << 20)} MiB`);
  }
  if (!Number.isInteger(c.vcpus) || c.vcpus < 1 || c.vcpus > MAX_VCPUS) {
    throw new EngineError('badConfig', `vCPU count must be between 1 and ${MAX_VCPUS}, got ${c.vcpus}`);
  }
}

export class EmulatorEngine implements Engine {
  readonly name = 'emulator' as const;
  /** `cpuModule`: a module exporting createCpu (a CpuFactory) to run instead of the x86 core. */
  constructor(private readonly options: { cpuModule?: string } = {}) {}

  async createVm(config: VmConfig): Promise<Vm> {
    validateVmConfig(config);
    return new EmulatorVm(config, this.options.cpuModule);
  }
}

class EmulatorVm extends WorkerThreadVm {
  readonly engine = 'emulator' as const;
  private readonly totals = { instructions: 0, exits: 0, events: 0 };

  constructor(config: VmConfig, cpuModule: string | undefined) {
    const ramBuffer = new SharedArrayBuffer(config.memoryBytes);
    super(config, new Uint8Array(ramBuffer));
    const entry = vcpuWorkerEntry(__dirname, 'vcpuWorker', __filename.endsWith('.ts'));
    for (let index = 0; index < config.vcpus; index++) {
      const workerData: VcpuWorkerData = {
        index, ram: ramBuffer, access: this.accessBuffer, control: this.controlBuffer,
        ownsDevices: index === 0, debugDevices: config.debugDevices ?? false, cpuModule,
      };
      const worker = new Worker(entry.script, { eval: entry.eval, workerData, stdout: false, stderr: false });
      this.addVcpu(worker, new EmulatorVcpu(index, worker, this.control));
    }
  }

  /** Writes RAM and tells every vCPU to drop decoded code for it (applied before its next slice). */
  writeGuest(gpa: number, bytes: Uint8Array): void {
    this.checkRange(gpa, bytes.length);
    this.ram.set(bytes, gpa);
    for (const v of this.vcpus) v.command({ op: 'memoryWritten', gpa, length: bytes.length }).catch(() => {});
  }

  stats(): EngineStats { return { engine: 'emulator', ...this.totals }; }

  protected addStats(stats: Omit<EngineStats, 'engine'>): void {
    this.totals.instructions += stats.instructions;
    this.totals.exits += stats.exits;
    this.totals.events += stats.events;
  }
}
