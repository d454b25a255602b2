// The VMM-core (main-thread) side of a VM whose vCPUs run in worker threads, shared by the software
// and KVM engines: starting the vCPUs, routing their messages (command responses, serial output,
// the end of a vCPU) and their events (taken from each vCPU's event mailbox, after the messages the
// thread sent before the event), guest RAM access with range checks, KVMI page access through the
// shared access array, and the end of the VM: the first vCPU to end (exit port, reset, shutdown,
// CRASH, error) ends it, the others are told to stop, every thread reports itself released
// (workerEntry.ts threadReleased) or exits, then `finished` resolves. Subclasses create the threads
// and add what their engine has on top.
import { Worker } from 'node:worker_threads';
import { EngineError, EngineName, EngineStats, PageAccessEntry, PAGE_ACCESS_ALL, Vm, VmConfig } from './engine';
import { EmulatorVcpu } from './emulatorVcpu';
import { deliverVcpuEvent } from './eventDelivery';
import { EventInboxes } from './eventInbox';
import { VcpuMessage } from './messages';
import { applyPageAccess, readPageAccess } from './pageAccess';
import { controlBytes } from './sharedControl';
import { VcpuEvent } from './vcpuEvents';
import { VmStopReason } from './vmStop';

/** How long stopped vCPU threads get to finish before they are terminated. */
const STOP_GRACE_MS = 2000;


export abstract class WorkerThreadVm implements Vm {
  abstract readonly engine: EngineName;
  readonly vcpus: EmulatorVcpu[] = [];
  readonly finished: Promise<VmStopReason>;
  /** KVMI allowed-access bits per guest frame, shared with the vCPU threads. */
  protected readonly accessBuffer: SharedArrayBuffer;
  protected readonly access: Uint8Array;
  protected readonly controlBuffer: SharedArrayBuffer;
  protected readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private eventHandler: ((e: VcpuEvent) => void) | undefined;
  private stopReason: VmStopReason | undefined;
  private running = 0;
  private readonly gone = new Set<number>();
  private eventSeq = 0;
  private readonly events: EventInboxes;
  private resolveFinished!: (r: VmStopReason) => void;

  protected constructor(protected readonly config: VmConfig, readonly ram: Uint8Array) {
    this.accessBuffer = new SharedArrayBuffer(config.memoryBytes / 4096);
    this.access = new Uint8Array(this.accessBuffer).fill(PAGE_ACCESS_ALL);
    this.controlBuffer = new SharedArrayBuffer(controlBytes(config.vcpus));
    this.control = new Int32Array(this.controlBuffer);
    this.finished = new Promise((resolve) => { this.resolveFinished = resolve; });
    this.events = new EventInboxes(this.controlBuffer, (index, raised) => deliverVcpuEvent(this.vcpus.find((v) => v.index === index)!, raised, ++this.eventSeq, this.eventHandler));
  }

  /** Adopts a vCPU thread; its messages go to onMessage unless `intercept` takes them first. */
  protected addVcpu(worker: Worker, vcpu: EmulatorVcpu, intercept?: (m: { type: string }) => boolean): void {
    worker.on('message', (m: VcpuMessage) => {
      if (m.type === 'released') { this.threadGone(vcpu); return; }
      if (intercept?.(m)) return;
      this.onMessage(vcpu, m);
      this.events.messageHandled(vcpu.index);
    });
    worker.on('error', (e) => this.end({ kind: 'error', message: e.message, vcpu: vcpu.index }));
    worker.on('exit', () => this.threadGone(vcpu));
    this.workers.push(worker);
    this.vcpus.push(vcpu);
    this.running++;
    this.events.add(vcpu.index);
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

  abstract writeGuest(gpa: number, bytes: Uint8Array): void;

  /** KVMI page access (kvmi-protocol.md section 5), applied by each vCPU thread before it next runs guest code. */
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

  abstract stats(): EngineStats;

  /** Per-thread statistics a vCPU reported (at its end or on request). */
  protected abstract addStats(stats: Extract<VcpuMessage, { type: 'stats' }>['stats']): void;

  /** Called once the last thread is gone, before `finished` resolves: release engine resources. */
  protected released(): void {}

  protected checkRange(gpa: number, length: number): void {
    if (!Number.isSafeInteger(gpa) || gpa < 0 || length < 0 || gpa + length > this.ram.length) {
      throw new EngineError('badAddress', `guest-physical range 0x${gpa.toString(16)}+${length} lies outside RAM (0x${this.ram.length.toString(16)} bytes)`);
    }
  }

  private onMessage(vcpu: EmulatorVcpu, m: VcpuMessage): void {
    switch (m.type) {
      case 'response': if (m.ok) vcpu.settle(m.id, true, m.value); else vcpu.settle(m.id, false, undefined, m.error); break;
      case 'serial': this.config.serialOutput?.(m.bytes); break;
      case 'stats': this.addStats(m.stats); break;
      case 'ended': this.end(m.reason); break;
      default: break;
    }
  }

  /** First end wins; the other vCPUs are told to stop, and `finished` waits for every thread to be released. */
  protected end(reason: VmStopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    for (const v of this.vcpus) v.command({ op: 'stop' }).catch(() => {});
    setTimeout(() => { for (const w of this.workers) void w.terminate(); }, STOP_GRACE_MS).unref();
  }

  /** The thread reported itself released, or exited (whichever comes first; a crashed thread only exits). */
  private threadGone(vcpu: EmulatorVcpu): void {
    if (this.gone.has(vcpu.index)) return;
    this.gone.add(vcpu.index);
    this.events.ended(vcpu.index);
    vcpu.markEnded();
    if (--this.running > 0) return;
    this.released();
    this.resolveFinished(this.stopReason ?? { kind: 'error', message: 'all vCPU threads exited without a stop reason' });
  }
}
