// One connected introspection tool, after the handshake: serves its KVMI v12 commands in arrival
// order, sends vCPU events (engine events, PAUSE, TRAP) with a per-session sequence number starting
// at 1, matches replies by seq, and on any end -- tool gone, hard protocol error, local close --
// unhooks: every vCPU waiting for a reply goes on as if CONTINUE, page restrictions return to rwx,
// intercepts are cleared (KVMI reference §1.3 UNHOOK, §2.1, §4.1).
import type { Socket } from 'node:net';
import {
  COMMANDS, EVENTS, KVMI_ERR, KVMI_EVENT_ACTION, KVMI_MSG, KvmiDecodeError, commandById, decodeCommand, decodeEventReply,
  encodeCommandReply, encodeErrorReply, encodeVcpuEvent, encodeVmEvent, type CommandName, type KvmiEventAction, type KvmiFrame,
} from '../kvmi';
import { KvmiFrameChannel, type KvmiCloseReason } from '../kvmi/socketStream';
import { PAGE_ACCESS_ALL, type Vm } from '../engine/engine';
import type { VcpuEvent } from '../engine/vcpuEvents';
import type { CommandContext, Handler } from './commandContext';
import { continueUnchanged, encodeEngineEvent, engineAction, engineReplyData, eventIdOf, eventState, kvmiEventName, type VcpuEventName } from './engineEvents';
import type { GuestStartGate } from './guestStartGate';
import type { KvmiPermissions } from './kvmiPermissions';
import { VCPU_COMMAND_HANDLERS } from './vcpuCommandHandlers';
import { clearedIntercepts, VcpuIntrospection, type QueuedTrap } from './vcpuIntrospection';
import { VM_COMMAND_HANDLERS } from './vmCommandHandlers';

/** Reading from the tool pauses at this many unhandled messages and resumes below RESUME_BELOW. */
const MAX_QUEUED_MESSAGES = 256;
const RESUME_BELOW = 64;

const HANDLERS = { ...VM_COMMAND_HANDLERS, ...VCPU_COMMAND_HANDLERS } as unknown as Record<CommandName, Handler<CommandName>>;

/** An event sent to the tool and not yet answered. */
interface WaitingEvent {
  seq: number;
  vcpu: number;
  name: VcpuEventName;
  /** Applies the tool's reply (registers set during the event first). */
  complete(action: KvmiEventAction, reply: unknown, regs: VcpuIntrospection['pendingRegs']): Promise<void>;
  /** The session ended first: go on as if CONTINUE with nothing changed. */
  abandon(): void;
}

export interface SessionEnvironment {
  vm: Vm;
  permissions: KvmiPermissions;
  gate: GuestStartGate;
  log(message: string): void;
}

export class KvmiSession implements CommandContext {
  readonly vm: Vm;
  readonly permissions: KvmiPermissions;
  readonly vcpus: VcpuIntrospection[];
  readonly vmEvents = new Set<number>();
  readonly restrictedGfns = new Set<number>();
  cleanup = true;
  /** Resolves with the close reason once the session has unhooked. */
  readonly ended: Promise<KvmiCloseReason>;
  private readonly channel: KvmiFrameChannel;
  private readonly waiting = new Map<number, WaitingEvent>();
  private nextSeq = 1;
  private work: Promise<void> = Promise.resolve();
  /** Messages received and not yet handled. */
  private queued = 0;
  private resolveEnded!: (r: KvmiCloseReason) => void;

  constructor(private readonly env: SessionEnvironment, socket: Socket, leftover: Uint8Array) {
    this.vm = env.vm;
    this.permissions = env.permissions;
    this.vcpus = env.vm.vcpus.map((v) => new VcpuIntrospection(v.index));
    this.ended = new Promise((resolve) => { this.resolveEnded = resolve; });
    this.channel = new KvmiFrameChannel(socket, { onFrame: (f) => this.enqueue(f), onClose: (r) => this.unhook(r) }, true);
    this.channel.feed(leftover);
  }

  get closed(): boolean { return this.channel.closed; }

  /** Resolves once every message received so far has been handled. */
  idle(): Promise<void> { return this.work; }

  /** Ends the session from the VMM side (unhooks like a disconnect). */
  close(message: string): void { this.channel.close({ kind: 'local', message }); }

  /** PREUNHOOK: sends the UNHOOK VM event; false if the tool has not enabled it (KVMI reference §4.3). */
  sendUnhookEvent(): boolean {
    const id = EVENTS.KVMI_VM_EVENT_UNHOOK.id;
    if (!this.vmEvents.has(id) || !this.permissions.eventAllowed(id)) return false;
    return this.channel.send(encodeVmEvent('KVMI_VM_EVENT_UNHOOK', this.nextSeq++));
  }

  /** An engine event: sent to the tool if it enabled that event on that vCPU, else answered CONTINUE. */
  deliverEngineEvent(event: VcpuEvent): void {
    const name = kvmiEventName(event);
    const state = this.vcpus[event.vcpu];
    const wanted = name === 'KVMI_VCPU_EVENT_SINGLESTEP' ? state.singlestep : state.has(eventIdOf(name));
    if (this.closed || !wanted || !this.permissions.eventAllowed(eventIdOf(name))) { continueUnchanged(event); return; }
    const seq = this.nextSeq++;
    this.await({
      seq, vcpu: event.vcpu, name,
      complete: async (action, reply, regs) => {
        if (regs) await this.vm.vcpus[event.vcpu].setRegs(regs);
        event.reply(engineAction(action), action === KVMI_EVENT_ACTION.CONTINUE ? engineReplyData(event, reply) : undefined);
      },
      abandon: () => continueUnchanged(event),
    }, encodeEngineEvent(event, seq));
  }

  requestPause(vcpu: number): void {
    this.vcpus[vcpu].pauseRequests++;
    this.env.gate.whenStarted(vcpu, () => void this.pump(vcpu));
  }

  requestTrap(vcpu: number, trap: QueuedTrap): void {
    this.vcpus[vcpu].trap = trap;
    this.env.gate.whenStarted(vcpu, () => void this.pump(vcpu));
  }

  async applyIntercepts(vcpu: number): Promise<void> {
    await this.vm.vcpus[vcpu].setIntercepts(this.vcpus[vcpu].intercepts());
  }

  private await(event: WaitingEvent, message: Uint8Array): void {
    this.waiting.set(event.seq, event);
    this.vcpus[event.vcpu].waitingSeq = event.seq;
    if (!this.channel.send(message)) this.settle(event.seq)?.abandon();
  }

  private settle(seq: number): WaitingEvent | undefined {
    const event = this.waiting.get(seq);
    if (!event) return undefined;
    this.waiting.delete(seq);
    if (this.vcpus[event.vcpu].waitingSeq === seq) this.vcpus[event.vcpu].waitingSeq = undefined;
    return event;
  }

  private enqueue(frame: KvmiFrame): void {
    if (++this.queued === MAX_QUEUED_MESSAGES) this.channel.holdReading(true);
    this.work = this.work.then(() => this.handleFrame(frame)).finally(() => {
      if (--this.queued === RESUME_BELOW) this.channel.holdReading(false);
    }).catch((e: unknown) => {
      if (e instanceof KvmiDecodeError && e.hard) { this.channel.close({ kind: 'protocol', error: e }); return; }
      this.env.log(`introspection: internal error, closing the session: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.close('internal error');
    });
  }

  private async handleFrame(frame: KvmiFrame): Promise<void> {
    if (this.closed) return;
    if (frame.hdr.id === KVMI_MSG.KVMI_VCPU_EVENT) { await this.handleEventReply(frame); return; }
    const reply = await this.runCommand(frame);
    this.channel.send(reply);
  }

  /** Checks in the kernel's order: permission, padding, vCPU index (KVMI reference §2.1). */
  private async runCommand(frame: KvmiFrame): Promise<Uint8Array> {
    const { id, seq } = frame.hdr;
    if (commandById(id) && !this.permissions.commandAllowed(id)) return encodeErrorReply(id, seq, KVMI_ERR.EPERM);
    let command;
    try {
      command = decodeCommand(frame);
    } catch (e) {
      if (e instanceof KvmiDecodeError && !e.hard) return encodeErrorReply(id, seq, e.code);
      throw e;
    }
    const vcpu = command.vcpu ?? 0;
    if (command.vcpu !== undefined && command.vcpu >= this.vm.vcpus.length) return encodeErrorReply(id, seq, KVMI_ERR.EINVAL);
    if (command.vcpu !== undefined && this.vm.vcpus[vcpu].state === 'stopped') return encodeErrorReply(id, seq, KVMI_ERR.EAGAIN);
    const result = await HANDLERS[command.name](command.request, vcpu, this).catch((e: unknown) => {
      this.env.log(`introspection: ${COMMANDS[command.name].name} failed: ${e instanceof Error ? e.message : String(e)}`);
      return { ok: false as const, err: KVMI_ERR.EAGAIN };
    });
    return encodeCommandReply(command.name, seq, result);
  }

  /** A reply must match a waiting event's seq exactly; anything else closes the socket (§4.1). */
  private async handleEventReply(frame: KvmiFrame): Promise<void> {
    const event = this.waiting.get(frame.hdr.seq);
    if (!event) {
      throw new KvmiDecodeError(`event reply with seq ${frame.hdr.seq}, but no event with that seq waits for a reply`,
        { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.seq', msgId: frame.hdr.id, seq: frame.hdr.seq });
    }
    const decoded = decodeEventReply(event.name, frame, { seq: event.seq, vcpu: event.vcpu });
    this.settle(event.seq);
    const state = this.vcpus[event.vcpu];
    const regs = state.pendingRegs;
    state.pendingRegs = undefined;
    await event.complete(decoded.action, decoded.reply, regs).catch((e: unknown) =>
      this.env.log(`introspection: applying the reply to event ${event.seq} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Sends a PAUSE or TRAP event for a paused vCPU; resolves with the action, undefined if abandoned. */
  private async commandEvent(vcpu: number, name: 'KVMI_VCPU_EVENT_PAUSE' | 'KVMI_VCPU_EVENT_TRAP', trap?: QueuedTrap): Promise<KvmiEventAction | undefined> {
    const target = this.vm.vcpus[vcpu];
    const [mode, regs, sregs, msrs] = await Promise.all([target.mode(), target.getRegs(), target.getSregs(), target.getEventMsrs()]);
    if (this.closed) return undefined;
    const seq = this.nextSeq++;
    const state = eventState(vcpu, { mode, regs, sregs, msrs });
    const message = name === 'KVMI_VCPU_EVENT_TRAP'
      ? encodeVcpuEvent(name, seq, state, { nr: trap!.nr, error_code: trap!.errorCode, address: trap!.address })
      : encodeVcpuEvent(name, seq, state, undefined);
    return new Promise((resolve) => this.await({
      seq, vcpu, name,
      complete: async (action, _reply, newRegs) => {
        if (newRegs) await target.setRegs(newRegs);
        resolve(action);
      },
      abandon: () => resolve(undefined),
    }, message));
  }

  /**
   * The PAUSE/TRAP job loop of one vCPU: pause it (after any event it waits on is answered), inject
   * a queued exception and send TRAP first, then one PAUSE event per request (KVMI reference §4.1
   * "Priority"), and let it run again unless someone else had paused it.
   */
  private async pump(vcpu: number): Promise<void> {
    const state = this.vcpus[vcpu];
    if (state.pumping) return;
    state.pumping = true;
    const target = this.vm.vcpus[vcpu];
    const heldByGate = this.env.gate.takeHold(vcpu);
    const resume = heldByGate || target.state !== 'paused';
    let crashed = false;
    try {
      await target.pause();
      while (!this.closed && !crashed && state.hasJobs()) {
        let action: KvmiEventAction | undefined;
        if (state.trap) {
          const trap = state.trap;
          await target.injectException(trap.nr, trap.errorCode, trap.address);
          action = await this.commandEvent(vcpu, 'KVMI_VCPU_EVENT_TRAP', trap);
          state.trap = undefined;
        } else {
          state.pauseRequests--;
          action = await this.commandEvent(vcpu, 'KVMI_VCPU_EVENT_PAUSE');
        }
        crashed = action === KVMI_EVENT_ACTION.CRASH;
      }
      if (crashed) {
        // Same stop reason as an event the engine raised and the tool answered CRASH (§4.3).
        const rip = await target.getRegs().then((r) => r.rip, () => undefined);
        await this.vm.crash(vcpu, rip);
        return;
      }
      if (resume) await target.unpause();
    } catch (e) {
      this.env.log(`introspection: vCPU ${vcpu} could not be paused for its events: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      state.pumping = false;
    }
    if (!this.closed && !crashed && state.hasJobs()) void this.pump(vcpu);
  }

  /**
   * UNHOOK (KVMI reference §1.3): drop restrictions, clear intercepts, then release waiting vCPUs.
   * The intercept change is posted before the replies, so a released vCPU never runs with the old
   * intercepts.
   */
  private unhook(reason: KvmiCloseReason): void {
    const pages = [...this.restrictedGfns].map((gfn) => ({ gpa: BigInt(gfn) << 12n, access: PAGE_ACCESS_ALL }));
    this.restrictedGfns.clear();
    try {
      if (pages.length > 0) this.vm.setPageAccess(pages);
    } catch (e) {
      this.env.log(`introspection: could not lift page restrictions: ${(e as Error).message}`);
    }
    // Cleanup restores the interceptions KVMI changed (#BP, CR, MSR, descriptor); without it they stay,
    // and their hits are answered CONTINUE. Event-only switches and single-stepping always end.
    const change = this.cleanup ? clearedIntercepts() : { pf: false, hypercall: false, xsetbv: false, singlestep: false };
    const intercepts = Promise.all(this.vm.vcpus.map((v) => v.setIntercepts(change).catch(() => undefined)));
    for (const event of [...this.waiting.values()]) this.settle(event.seq)?.abandon();
    for (const state of this.vcpus) {
      state.pendingRegs = undefined;
      state.pauseRequests = 0;
      state.trap = undefined;
    }
    void intercepts.then(() => this.resolveEnded(reason));
  }
}
