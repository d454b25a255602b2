// The loop of one vCPU thread: runs the CPU in instruction-budget slices, serves VMM-core commands
// between slices, turns KVMI event exits into messages and blocks (Atomics.wait on the doorbell)
// until the reply arrives, serving commands meanwhile (kvmi-protocol.md 4.1 "Event reply", 4.3
// actions per event; CRASH ends the VM). The state machine is in vcpuState.ts.
// Devices, when this vCPU owns them, are serviced through DeviceHost after every slice and at HLT.
import { DeviceStopRequest } from '../devices/deviceSignals';
import { CpuCore, CpuEventExit, isEventExit } from './cpuCore';
import { UNANSWERED, VcpuCommand, VcpuMessage } from './messages';
import { replyProblem, EventReplyData, VcpuEventArch } from './vcpuEvents';
import { transition, VcpuState } from './vcpuState';
import { VmStopReason } from './vmStop';
import { EventAction } from './engine';
import { CpuidSource } from './guestCpuid';

/** Instructions per run slice: the longest a pause or command waits for a running vCPU. */
export const SLICE_INSTRUCTIONS = 20_000;
/**
 * How long a vCPU thread polls the doorbell for an event reply before it sleeps on it. An in-process
 * handler answers within tens of microseconds; waking a sleeping thread costs about as much again
 * (a futex wake-up crosses CPUs, which is slow under nested virtualisation), so a short poll halves
 * the round trip. A slower (remote) tool costs at most this much CPU time per event.
 */
export const REPLY_POLL_MS = 0.2;

/** The thread's link to the VMM core (see vcpuChannel.ts for the worker_threads implementation). */
export interface RunnerChannel {
  doorbell(): number;
  takeCommand(): VcpuCommand | undefined;
  /** Sleeps until the doorbell differs from `seen` or `timeoutMs` passes (Infinity = no timeout). */
  waitDoorbell(seen: number, timeoutMs: number): void;
  send(message: VcpuMessage): void;
  /** Hands event `seq` to the VMM core (after every message sent before it). */
  raiseEvent(seq: number, exit: CpuEventExit, arch: VcpuEventArch): void;
  setState(state: VcpuState): void;
  accessGeneration(): number;
  /** The data-less reply to event `seq` left in shared memory by the VMM core, if there is one. */
  takeReply?(seq: number): EventAction | undefined;
}

/** The devices a vCPU thread owns (vCPU 0), as the runner drives them. */
export interface DeviceHost {
  /** Advances timers; true when the CPU can take a pending interrupt now (ends a HLT wait). */
  service(cpu: CpuCore): boolean;
  nsUntilNextTimer(): number | undefined;
  takeStopRequest(): DeviceStopRequest | undefined;
  flushSerial(): void;
  serialInput(bytes: Uint8Array): void;
}

const RFLAGS_IF = 0x200n;

export class VcpuRunner {
  private state: VcpuState = 'created';
  private pending: { seq: number; exit: CpuEventExit } | undefined;
  private answer: { action: EventAction; data?: EventReplyData } | undefined;
  private deferredPauseAcks: number[] = [];
  private seenAccessGeneration = 0;
  private nextSeq = 1;
  private exits = 0;
  private events = 0;

  constructor(
    private readonly index: number,
    private readonly cpu: CpuCore,
    private readonly channel: RunnerChannel,
    private readonly devices: DeviceHost | undefined,
    /** This vCPU's CPUID table; absent when the CPU offers none (the 'cpuid' command answers null). */
    private readonly cpuidTable?: CpuidSource,
  ) {}

  /** Runs until the vCPU is stopped; the last message sent is 'ended'. */
  run(): void {
    let served = Number.NaN;
    while (this.current() !== 'stopped') {
      // Between slices a running vCPU looks at the doorbell only; the port is read when it rang.
      const bell = this.channel.doorbell();
      if (bell !== served || this.current() !== 'running') { served = bell; this.serveCommands(); }
      const state = this.current();
      if (state === 'running') this.runSlice();
      else if (state !== 'stopped') this.sleepUntilDoorbell(bell, Infinity);
    }
  }

  /** The state, read afresh (commands served in between may have changed it). */
  current(): VcpuState { return this.state; }

  private setState(next: VcpuState): void {
    this.state = transition(this.state, next);
    this.channel.setState(this.state);
  }

  private runSlice(): void {
    this.syncAccess();
    let exit;
    try {
      exit = this.cpu.run(SLICE_INSTRUCTIONS);
    } catch (e) {
      this.end({ kind: 'error', message: e instanceof Error ? e.message : String(e), vcpu: this.index, rip: this.rip() });
      return;
    }
    this.exits++;
    this.devices?.service(this.cpu);
    const stop = this.devices?.takeStopRequest();
    if (stop) { this.endForDevice(stop); return; }
    switch (exit.kind) {
      case 'budget': case 'stopRequested': break;
      case 'hlt': this.halt(); break;
      case 'shutdown': this.end({ kind: 'shutdown', reason: exit.reason, rip: this.rip() }); break;
      default: if (isEventExit(exit)) this.raiseEvent(exit);
    }
    this.devices?.flushSerial();
  }

  /** HLT: sleep until an interrupt is delivered, a command arrives, or nothing can ever wake us. */
  private halt(): void {
    for (;;) {
      const bell = this.channel.doorbell();
      if (this.devices?.service(this.cpu)) return;
      const stop = this.devices?.takeStopRequest();
      if (stop) { this.endForDevice(stop); return; }
      this.serveCommands();
      if (this.state !== 'running') return;
      const timerNs = this.devices?.nsUntilNextTimer();
      const interruptible = (this.cpu.getRegs().rflags & RFLAGS_IF) !== 0n;
      if (!interruptible && this.devices) {
        this.end({ kind: 'halted', vcpu: this.index, rip: this.rip() });
        return;
      }
      this.devices?.flushSerial();
      this.sleepUntilDoorbell(bell, interruptible && timerNs !== undefined ? Math.max(timerNs / 1e6, 0.05) : Infinity);
    }
  }

  private raiseEvent(exit: CpuEventExit): void {
    this.devices?.flushSerial();
    this.events++;
    const seq = this.nextSeq++;
    this.pending = { seq, exit };
    this.answer = undefined;
    const arch = { mode: this.cpu.mode(), regs: this.cpu.getRegs(), sregs: this.cpu.getSregs(), msrs: this.cpu.getEventMsrs() };
    this.setState('waitingForReply');
    this.channel.raiseEvent(seq, exit, arch);
    while (this.answer === undefined && this.state === 'waitingForReply') {
      const bell = this.channel.doorbell();
      this.serveCommands();
      if (this.answer === undefined && this.state === 'waitingForReply') this.takeSharedReply(seq);
      if (this.answer === undefined && this.state === 'waitingForReply') this.awaitReplyDoorbell(bell);
    }
    this.pending = undefined;
    const answer = this.answer as { action: EventAction; data?: EventReplyData } | undefined;
    if (!answer || this.state === 'stopped') return;
    if (answer.action === 'crash') { this.end({ kind: 'crash', vcpu: this.index, rip: this.rip() }); return; }
    this.syncAccess();
    this.cpu.resume(answer.action, answer.data);
    this.setState(this.deferredPauseAcks.length > 0 ? 'paused' : 'running');
    this.ackDeferredPauses();
  }

  /**
   * A data-less reply in shared memory. Commands the VMM core posted before it (register changes
   * for RETRY...) are served first: they were queued before the reply was written.
   */
  private takeSharedReply(seq: number): void {
    const action = this.channel.takeReply?.(seq);
    if (action === undefined) return;
    this.serveCommands();
    if (this.answer !== undefined || this.state !== 'waitingForReply') return;
    try {
      this.acceptReply(seq, action);
    } catch {
      // Validated by the VMM core before it was written (eventDelivery.ts); nothing to answer.
    }
  }

  /** Polls the doorbell for up to REPLY_POLL_MS, then sleeps until it changes. */
  private awaitReplyDoorbell(seen: number): void {
    const until = performance.now() + REPLY_POLL_MS;
    while (this.channel.doorbell() === seen) {
      if (performance.now() >= until) { this.sleepUntilDoorbell(seen, Infinity); return; }
    }
  }

  private sleepUntilDoorbell(seen: number, timeoutMs: number): void {
    this.cpu.idle?.();
    this.channel.waitDoorbell(seen, timeoutMs);
  }

  private serveCommands(): void {
    for (let c = this.channel.takeCommand(); c; c = this.channel.takeCommand()) {
      try {
        const value = this.execute(c);
        if (value !== DEFERRED && c.id !== UNANSWERED) this.channel.send({ type: 'response', id: c.id, ok: true, value });
      } catch (e) {
        if (c.id !== UNANSWERED) this.channel.send({ type: 'response', id: c.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
      if (this.state === 'stopped') return;
    }
  }

  private execute(c: VcpuCommand): unknown {
    const cpu = this.cpu;
    switch (c.op) {
      case 'start': this.setState(c.paused ? 'paused' : 'running'); return undefined;
      case 'pause': return this.pause(c.id);
      case 'unpause': if (this.state === 'paused') this.setState('running'); return undefined;
      case 'stop': this.end({ kind: 'stopped' }); return undefined;
      case 'getRegs': return cpu.getRegs();
      case 'setRegs': cpu.setRegs(c.regs); return undefined;
      case 'getSregs': return cpu.getSregs();
      case 'setSregs': cpu.setSregs(c.sregs); return undefined;
      case 'getMsr': return cpu.getMsr(c.index);
      case 'setMsr': return cpu.setMsr(c.index, c.value);
      case 'getEventMsrs': return cpu.getEventMsrs();
      case 'getXsave': return cpu.getXsave();
      case 'setXsave': cpu.setXsave(c.buf); return undefined;
      case 'getXcr0': return cpu.getXcr0();
      case 'mode': return cpu.mode();
      case 'translate': return cpu.translate(c.gva);
      case 'cpuid': return this.cpuidTable ? this.cpuidTable(c.fn, c.index) : null;
      case 'setIntercepts': Object.assign(cpu.intercepts, c.change); return undefined;
      case 'injectException': cpu.injectException(c.vector, c.errorCode, c.cr2); return undefined;
      case 'reply': this.acceptReply(c.seq, c.action, c.data); return undefined;
      case 'serialInput': this.devices?.serialInput(c.bytes); return undefined;
      case 'memoryWritten': cpu.memoryWritten(c.gpa, c.length); return undefined;
    }
  }

  private pause(id: number): unknown {
    if (this.state === 'waitingForReply') { this.deferredPauseAcks.push(id); return DEFERRED; }
    if (this.state === 'running' || this.state === 'created') this.setState('paused');
    this.devices?.flushSerial();
    return undefined;
  }

  private ackDeferredPauses(): void {
    for (const id of this.deferredPauseAcks.splice(0)) this.channel.send({ type: 'response', id, ok: true });
  }

  private acceptReply(seq: number, action: EventAction, data?: EventReplyData): void {
    if (!this.pending || this.pending.seq !== seq) {
      throw new Error(`reply for event ${seq}, but vCPU ${this.index} ${this.pending ? `waits for event ${this.pending.seq}` : 'waits for no event'}`);
    }
    const problem = replyProblem(this.pending.exit.kind, action, data);
    if (problem) throw new Error(problem);
    this.answer = { action, data };
  }

  private syncAccess(): void {
    const generation = this.channel.accessGeneration();
    if (generation !== this.seenAccessGeneration) {
      this.seenAccessGeneration = generation;
      this.cpu.accessChanged();
    }
  }

  private endForDevice(stop: DeviceStopRequest): void {
    this.end(stop.reason === 'exitPort' ? { kind: 'exitPort', status: stop.status } : { kind: 'reset', rip: this.rip() });
  }

  private end(reason: VmStopReason): void {
    if (this.state === 'stopped') return;
    this.devices?.flushSerial();
    this.setState('stopped');
    this.ackDeferredPauses();
    this.channel.send({ type: 'stats', stats: { instructions: this.cpu.instructions, exits: this.exits, events: this.events } });
    this.channel.send({ type: 'ended', reason });
  }

  private rip(): bigint | undefined {
    try { return this.cpu.getRegs().rip; } catch { return undefined; }
  }
}

const DEFERRED = Symbol('deferred response');
