// The message engine under KvmiConnection: sends commands with their own seq and matches each reply
// to its command by seq (KVMI reference §2.1), times commands out, decodes events and queues them
// for an async iterator (or hands them to 'event' listeners), and fails everything pending when
// the socket closes. A reply that matches no command, or any malformed message, closes the socket.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  KVMI_ERR, KVMI_MSG, KvmiDecodeError, KvmiEncodeError, buildMessage, decodeCommandReply, decodeEvent, encodeCommand, encodeEventReply,
  type CommandName, type DecodedEvent, type KvmiFrame, type ReplyOf, type RequestOf,
} from '../../vmm/kvmi';
import { KvmiFrameChannel, describeCloseReason, type KvmiCloseReason } from '../../vmm/kvmi/socketStream';
import type { KvmRegs } from '../../vmm/x86/kvmState';
import { KvmiClosedError, KvmiCommandError, KvmiTimeoutError, KvmiUsageError } from './kvmiErrors';
import { actionValue, type EventActionInput, type EventReplyInput, type KvmiEvent, type KvmiVcpuEvent } from './kvmiEvent';

export interface PeerOptions {
  /** Per-command reply timeout (default 10 s). */
  commandTimeoutMs?: number;
}

type PendingResult = { ok: true; reply: unknown } | { ok: false; err: number };

interface PendingCommand {
  name: string;
  /** Decodes the reply frame; throws KvmiDecodeError for a malformed one. */
  decode(frame: KvmiFrame): PendingResult;
  resolve(reply: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Reading stops while this many events wait to be taken, and resumes when fewer than RESUME_BELOW_EVENTS do. */
const MAX_QUEUED_EVENTS = 1024;
const RESUME_BELOW_EVENTS = 256;

/** How many timed-out seqs are remembered so their late replies are dropped, not treated as bogus. */
const LATE_REPLY_MEMORY = 1024;

export class KvmiPeer extends EventEmitter {
  readonly commandTimeoutMs: number;
  /** Resolves with the reason once the connection has ended. */
  readonly closed: Promise<KvmiCloseReason>;
  private readonly channel: KvmiFrameChannel;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly timedOut = new Set<number>();
  private readonly queue: KvmiEvent[] = [];
  private readonly takers: Array<{ resolve(e: KvmiEvent | undefined): void }> = [];
  private nextSeq = 1;
  private resolveClosed!: (r: KvmiCloseReason) => void;

  constructor(socket: Socket, leftover: Uint8Array, options: PeerOptions = {}) {
    super();
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    this.channel = new KvmiFrameChannel(socket, { onFrame: (f) => this.onFrame(f), onClose: (r) => this.onClose(r) });
    this.channel.feed(leftover);
  }

  get isClosed(): boolean { return this.channel.closed; }

  /** Sends a command and resolves with its reply; rejects with KvmiCommandError, KvmiTimeoutError or KvmiClosedError. */
  command<N extends CommandName>(name: N, request: RequestOf<N>, vcpu?: number): Promise<ReplyOf<N>> {
    return this.send(name, (seq) => encodeCommand(name, seq, request, vcpu), (frame, seq) => decodeCommandReply(name, frame, seq)) as Promise<ReplyOf<N>>;
  }

  /**
   * Sends a hand-built message (id and body after kvmi_msg_hdr) as a command and resolves with
   * the error code and the reply bytes after kvmi_error_code; for protocol tests and probes.
   */
  rawCommand(id: number, body: Uint8Array): Promise<{ err: number; reply: Uint8Array }> {
    return this.send(`message id ${id}`, (seq) => buildMessage(id, seq, [body]), (frame) => {
      const err = frame.payload.length >= 4 ? new DataView(frame.payload.buffer, frame.payload.byteOffset, 4).getInt32(0, true) : KVMI_ERR.EINVAL;
      return { ok: true, reply: { err, reply: frame.payload.slice(8) } };
    }) as Promise<{ err: number; reply: Uint8Array }>;
  }

  private send(name: string, encode: (seq: number) => Uint8Array, decode: (frame: KvmiFrame, seq: number) => PendingResult): Promise<unknown> {
    if (this.channel.closed) return Promise.reject(new KvmiClosedError(`${name}: the connection is closed (${describeCloseReason(this.channel.reason!)})`));
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq + 1) >>> 0 || 1;
    let message: Uint8Array;
    try {
      message = encode(seq);
    } catch (e) {
      return Promise.reject(e instanceof KvmiEncodeError ? new KvmiUsageError(`${name}: ${e.message}`) : e);
    }
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        this.rememberTimedOut(seq);
        reject(new KvmiTimeoutError(`${name} (seq ${seq}): no reply within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      this.pending.set(seq, { name, decode: (frame) => decode(frame, seq), resolve, reject, timer });
      this.channel.send(message);
    });
  }

  /** Writes raw bytes (for protocol tests); false once closed. */
  sendRaw(bytes: Uint8Array): boolean { return this.channel.send(bytes); }

  /** The next event; undefined once the connection has closed. Rejects with KvmiTimeoutError after `timeoutMs`. */
  nextEvent(timeoutMs?: number): Promise<KvmiEvent | undefined> {
    const queued = this.queue.shift();
    if (this.queue.length === RESUME_BELOW_EVENTS) this.channel.holdReading(false);
    if (queued) return Promise.resolve(queued);
    if (this.channel.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const taker = { resolve: (e: KvmiEvent | undefined) => { clearTimeout(timer); resolve(e); } };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.takers.splice(this.takers.indexOf(taker), 1);
        reject(new KvmiTimeoutError(`no event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.takers.push(taker);
    });
  }

  /** Every event until the connection closes. */
  async *events(): AsyncGenerator<KvmiEvent> {
    for (;;) {
      const event = await this.nextEvent();
      if (!event) return;
      yield event;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<KvmiEvent> { return this.events(); }

  /** Closes the socket; pending commands reject with KvmiClosedError. */
  close(message = 'closed by the introspection tool'): void {
    this.channel.close({ kind: 'local', message });
  }

  private rememberTimedOut(seq: number): void {
    this.timedOut.add(seq);
    if (this.timedOut.size > LATE_REPLY_MEMORY) this.timedOut.delete(this.timedOut.values().next().value as number);
  }

  private onFrame(frame: KvmiFrame): void {
    try {
      if (frame.hdr.id === KVMI_MSG.KVMI_VM_EVENT || frame.hdr.id === KVMI_MSG.KVMI_VCPU_EVENT) this.onEvent(frame);
      else this.onReply(frame);
    } catch (e) {
      if (!(e instanceof KvmiDecodeError)) throw e;
      if (e.hard) this.channel.close({ kind: 'protocol', error: e });
      else this.emit('ignored', e);
    }
  }

  private onReply(frame: KvmiFrame): void {
    const seq = frame.hdr.seq;
    const command = this.pending.get(seq);
    if (!command) {
      if (this.timedOut.delete(seq)) return;
      throw new KvmiDecodeError(`reply id ${frame.hdr.id} seq ${seq} matches no command in flight`,
        { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.seq', msgId: frame.hdr.id, seq });
    }
    const result = command.decode(frame);
    this.pending.delete(seq);
    clearTimeout(command.timer);
    if (result.ok) command.resolve(result.reply); else command.reject(new KvmiCommandError(command.name, result.err));
  }

  private onEvent(frame: KvmiFrame): void {
    const decoded = decodeEvent(frame);
    const event: KvmiEvent = decoded.scope === 'vm' ? decoded : this.withControls(decoded as Extract<typeof decoded, { scope: 'vcpu' }>);
    if (this.listenerCount('event') > 0) { this.emit('event', event); return; }
    const taker = this.takers.shift();
    if (taker) { taker.resolve(event); return; }
    this.queue.push(event);
    if (this.queue.length === MAX_QUEUED_EVENTS) this.channel.holdReading(true);
  }

  private withControls(decoded: Extract<DecodedEvent, { scope: 'vcpu' }>): KvmiVcpuEvent {
    let replied = false;
    const event = decoded as KvmiVcpuEvent;
    Object.defineProperty(event, 'replied', { get: () => replied, enumerable: true });
    event.setRegisters = (regs: KvmRegs) => this.command('KVMI_VCPU_SET_REGISTERS', regs, decoded.vcpu);
    event.reply = (action: EventActionInput, data?: EventReplyInput) => {
      if (replied) throw new KvmiUsageError(`event ${decoded.name} seq ${decoded.seq} was already answered`);
      const payload = decoded.payload as { new_value?: bigint } | undefined;
      const specific = decoded.name === 'KVMI_VCPU_EVENT_CR' || decoded.name === 'KVMI_VCPU_EVENT_MSR'
        ? { new_val: data?.newValue ?? payload?.new_value ?? 0n } : undefined;
      let message: Uint8Array;
      try {
        message = encodeEventReply(decoded.name, decoded.seq, decoded.vcpu, actionValue(action), specific as never);
      } catch (e) {
        if (e instanceof KvmiEncodeError) throw new KvmiUsageError(e.message);
        throw e;
      }
      replied = true;
      this.channel.send(message);
    };
    return event;
  }

  private onClose(reason: KvmiCloseReason): void {
    for (const [seq, command] of this.pending) {
      clearTimeout(command.timer);
      this.pending.delete(seq);
      command.reject(new KvmiClosedError(`${command.name}: the connection closed before the reply (${describeCloseReason(reason)})`));
    }
    for (const taker of this.takers.splice(0)) taker.resolve(undefined);
    this.resolveClosed(reason);
    this.emit('close', reason);
  }
}
