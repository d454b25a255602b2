// The software engine: guest RAM and the KVMI access array in SharedArrayBuffers, one worker
// thread per vCPU running the x86 core (vcpuWorker.ts), and the VMM-core side of the Vm interface.
// The first vCPU to end (exit port, reset, shutdown, CRASH, error) ends the VM: the others are
// told to stop, all threads are joined, then `finished` resolves.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Engine, EngineError, EngineStats, PageAccessEntry, PAGE_ACCESS_ALL, Vm, VmConfig } from './engine';
import { EmulatorVcpu } from './emulatorVcpu';
import { VcpuMessage, VcpuWorkerData } from './messages';
import { applyPageAccess, readPageAccess } from './pageAccess';
import { controlBytes } from './sharedControl';
import { deliverVcpuEvent } from './eventDelivery';
import { VcpuEvent } from './vcpuEvents';
import { VmStopReason } from './vmStop';

export const PAGE_SIZE = 4096;
export const MIN_MEMORY_BYTES = 1 << 20;
export const MAX_MEMORY_BYTES = 3072 * (1 << 20);   // below the 32-bit PCI hole; one SharedArrayBuffer
export const MAX_VCPUS = 64;

/**
 * How to start a vCPU thread: the bundled dist/vcpuWorker.js next to this bundle, or, when running
 * from TypeScript sources (tests under tsx), a small script that registers tsx's require hook in
 * the new thread and then loads vcpuWorker.ts.
 */
function workerEntry(): { script: string; eval: boolean } {
  if (!__filename.endsWith('.ts')) return { script: join(__dirname, 'vcpuWorker.js'), eval: false };
  const tsxRequireHook = 'tsx/cjs';   // a variable, so bundlers leave this development-only lookup alone
  const tsx = require.resolve(tsxRequireHook);
  const entry = join(__dirname, 'vcpuWorker.ts');
  return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, eval: true };
}

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

class EmulatorVm implements Vm {
  readonly engine = 'emulator' as const;
  readonly ram: Uint8Array;
  readonly vcpus: EmulatorVcpu[] = [];
  readonly finished: Promise<VmStopReason>;
  private readonly access: Uint8Array;
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private eventHandler: ((e: VcpuEvent) => void) | undefined;
  private stopReason: VmStopReason | undefined;
  private running = 0;
  private eventSeq = 0;
  private resolveFinished!: (r: VmStopReason) => void;
  private readonly totals = { instructions: 0, exits: 0, events: 0 };

  constructor(private readonly config: VmConfig, cpuModule: string | undefined) {
    const ramBuffer = new SharedArrayBuffer(config.memoryBytes);
    const accessBuffer = new SharedArrayBuffer(config.memoryBytes / PAGE_SIZE);
    const controlBuffer = new SharedArrayBuffer(controlBytes(config.vcpus));
    this.ram = new Uint8Array(ramBuffer);
    this.access = new Uint8Array(accessBuffer).fill(PAGE_ACCESS_ALL);
    this.control = new Int32Array(controlBuffer);
    this.finished = new Promise((resolve) => { this.resolveFinished = resolve; });
    const entry = workerEntry();
    for (let index = 0; index < config.vcpus; index++) {
      const workerData: VcpuWorkerData = {
        index, ram: ramBuffer, access: accessBuffer, control: controlBuffer,
        ownsDevices: index === 0, debugDevices: config.debugDevices ?? false, cpuModule,
      };
      const worker = new Worker(entry.script, { eval: entry.eval, workerData, stdout: false, stderr: false });
      const vcpu = new EmulatorVcpu(index, worker, this.control);
      worker.on('message', (m: VcpuMessage) => this.onMessage(vcpu, m));
      worker.on('error', (e) => this.end({ kind: 'error', message: e.message, vcpu: index }));
      worker.on('exit', () => this.onWorkerExit(vcpu));
      this.workers.push(worker);
      this.vcpus.push(vcpu);
      this.running++;
    }
  }

  start(options: { paused?: boolean } = {}): void {
    for (const v of this.vcpus) v.command({ op: 'start', paused: options.paused ?? false }).catch(() => {});
  }

  onEvent(handler: (event: VcpuEvent) => void): void { this.eventHandler = handler; }

  serialInput(bytes: Uint8Array): void {
    this.vcpus[0].command({ op: 'serialInput', bytes }).catch(() => {});
  }

  readGuest(gpa: number, length: number): Uint8Array {
    this.checkRange(gpa, length);
    return this.ram.slice(gpa, gpa + length);
  }

  /** Writes RAM and tells every vCPU to drop decoded code for it (applied before its next slice). */
  writeGuest(gpa: number, bytes: Uint8Array): void {
    this.checkRange(gpa, bytes.length);
    this.ram.set(bytes, gpa);
    for (const v of this.vcpus) v.command({ op: 'memoryWritten', gpa, length: bytes.length }).catch(() => {});
  }

  setPageAccess(entries: readonly PageAccessEntry[]): void {
    applyPageAccess(this.access, this.control, this.ram.length, entries);
  }

  getPageAccess(gpa: bigint): number {
    return readPageAccess(this.access, this.ram.length, gpa);
  }

  async stop(): Promise<void> {
    this.end({ kind: 'stopped' });
    await this.finished;
  }

  async crash(vcpu: number, rip?: bigint): Promise<void> {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.vcpus.length) throw new EngineError('badConfig', `no vCPU ${vcpu} to crash; the VM has ${this.vcpus.length}`);
    this.end({ kind: 'crash', vcpu, rip });
    await this.finished;
  }

  stats(): EngineStats { return { engine: 'emulator', ...this.totals }; }

  private checkRange(gpa: number, length: number): void {
    if (!Number.isSafeInteger(gpa) || gpa < 0 || length < 0 || gpa + length > this.ram.length) {
      throw new EngineError('badAddress', `guest-physical range 0x${gpa.toString(16)}+${length} lies outside RAM (0x${this.ram.length.toString(16)} bytes)`);
    }
  }

  private onMessage(vcpu: EmulatorVcpu, m: VcpuMessage): void {
    switch (m.type) {
      case 'response': if (m.ok) vcpu.settle(m.id, true, m.value); else vcpu.settle(m.id, false, undefined, m.error); break;
      case 'serial': this.config.serialOutput?.(m.bytes); break;
      case 'event': deliverVcpuEvent(vcpu, m, ++this.eventSeq, this.eventHandler); break;
      case 'stats':
        this.totals.instructions += m.stats.instructions;
        this.totals.exits += m.stats.exits;
        this.totals.events += m.stats.events;
        break;
      case 'ended': this.end(m.reason); break;
    }
  }

  /** First end wins; the other vCPUs are told to stop and every thread is joined. */
  private end(reason: VmStopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    for (const v of this.vcpus) v.command({ op: 'stop' }).catch(() => {});
    setTimeout(() => { for (const w of this.workers) void w.terminate(); }, 2000).unref();
  }

  private onWorkerExit(vcpu: EmulatorVcpu): void {
    vcpu.markEnded();
    if (--this.running > 0) return;
    this.resolveFinished(this.stopReason ?? { kind: 'error', message: 'all vCPU threads exited without a stop reason' });
  }
}
