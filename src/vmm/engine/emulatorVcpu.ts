// The VMM core's handle on one software vCPU thread: every method posts a command to the thread,
// rings its doorbell (so a running, paused or waiting thread picks it up promptly) and resolves
// with the thread's response. The state is read from the shared control block.
import { Worker } from 'node:worker_threads';
import { KvmRegs, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';
import { CpuIntercepts } from './cpuCore';
import { EngineError, EventAction, Vcpu } from './engine';
import { CpuidRegisters } from './guestCpuid';
import { UNANSWERED, VcpuCommandBody } from './messages';
import { DOORBELL, REPLY_ACTION, REPLY_SEQ, replyActionCode, STATE, slot } from './sharedControl';
import { stateOfCode, VcpuState } from './vcpuState';

interface PendingCommand { op: string; resolve: (v: unknown) => void; reject: (e: Error) => void }

export class EmulatorVcpu implements Vcpu {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCommand>();
  private ended = false;

  constructor(readonly index: number, private readonly worker: Worker, private readonly control: Int32Array) {}

  get state(): VcpuState { return stateOfCode(Atomics.load(this.control, slot(this.index, STATE))); }

  /** Posts a command and rings the doorbell; resolves with the thread's answer. */
  command<T = void>(body: VcpuCommandBody): Promise<T> {
    if (this.ended) return Promise.reject(new EngineError('vcpuStopped', `vCPU ${this.index} has stopped; '${body.op}' cannot run`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { op: body.op, resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id });
      Atomics.add(this.control, slot(this.index, DOORBELL), 1);
      Atomics.notify(this.control, slot(this.index, DOORBELL));
    });
  }

  /**
   * Posts a command whose outcome nobody waits for (an event reply, already validated): the thread
   * sends no response for it (id 0), which spares a message and a wake-up of this thread per event.
   */
  post(body: VcpuCommandBody): void {
    if (this.ended) return;
    this.worker.postMessage({ ...body, id: UNANSWERED });
    Atomics.add(this.control, slot(this.index, DOORBELL), 1);
    Atomics.notify(this.control, slot(this.index, DOORBELL));
  }

  /**
   * Answers event `seq` with an action that carries no data, through the shared control block
   * (sharedControl.ts REPLY_SEQ/REPLY_ACTION): no message, and nothing to deserialise in the thread.
   */
  postReply(seq: number, action: EventAction): void {
    if (this.ended) return;
    Atomics.store(this.control, slot(this.index, REPLY_ACTION), replyActionCode(action));
    Atomics.store(this.control, slot(this.index, REPLY_SEQ), seq);
    Atomics.add(this.control, slot(this.index, DOORBELL), 1);
    Atomics.notify(this.control, slot(this.index, DOORBELL));
  }

  /** Routes a response from the thread to its waiting command. */
  settle(id: number, ok: boolean, value: unknown, error?: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(new EngineError('commandFailed', `vCPU ${this.index} ${p.op}: ${error}`));
  }

  /** The thread is gone: fails every command still waiting. */
  markEnded(): void {
    this.ended = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new EngineError('vcpuStopped', `vCPU ${this.index} stopped before answering '${p.op}'`));
    }
  }

  pause(): Promise<void> { return this.command({ op: 'pause' }); }
  unpause(): Promise<void> { return this.command({ op: 'unpause' }); }
  getRegs(): Promise<KvmRegs> { return this.command({ op: 'getRegs' }); }
  setRegs(regs: KvmRegs): Promise<void> { return this.command({ op: 'setRegs', regs }); }
  getSregs(): Promise<KvmSregs> { return this.command({ op: 'getSregs' }); }
  setSregs(sregs: KvmSregs): Promise<void> { return this.command({ op: 'setSregs', sregs }); }
  getMsr(index: number): Promise<bigint | undefined> { return this.command({ op: 'getMsr', index }); }
  setMsr(index: number, value: bigint): Promise<boolean> { return this.command({ op: 'setMsr', index, value }); }
  getEventMsrs(): Promise<KvmiEventMsrs> { return this.command({ op: 'getEventMsrs' }); }
  getXsave(): Promise<Uint8Array> { return this.command({ op: 'getXsave' }); }
  setXsave(buf: Uint8Array): Promise<void> { return this.command({ op: 'setXsave', buf }); }
  getXcr0(): Promise<bigint> { return this.command({ op: 'getXcr0' }); }
  mode(): Promise<2 | 4 | 8> { return this.command({ op: 'mode' }); }
  translate(gva: bigint): Promise<bigint | undefined> { return this.command({ op: 'translate', gva }); }
  /** One CPUID leaf; the thread answers null when its CPU has no CPUID table to read. */
  async cpuid(fn: number, index: number): Promise<CpuidRegisters | undefined> {
    const leaf = await this.command<CpuidRegisters | undefined | null>({ op: 'cpuid', fn, index });
    if (leaf === null) throw new EngineError('notAvailable', `vCPU ${this.index} offers no CPUID table`);
    return leaf;
  }
  setIntercepts(change: Partial<CpuIntercepts>): Promise<void> { return this.command({ op: 'setIntercepts', change }); }
  injectException(vector: number, errorCode?: number, cr2?: bigint): Promise<void> {
    return this.command({ op: 'injectException', vector, errorCode, cr2 });
  }
}
