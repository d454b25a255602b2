// Socket plumbing shared by both KVMI peers: a byte reader for the handshake that precedes KVMI
// (exact-length reads with a deadline; KVMI reference §1.2), then a framed channel that cuts the
// stream into KVMI messages (framing.ts) and writes each message with one socket write (§2.1).
// Either side closes on the first hard protocol error; the close reason says why.
import type { Socket } from 'node:net';
import { KvmiDecodeError } from './errors';
import { KvmiFrameReader, type KvmiFrame } from './framing';

/** Why a KVMI socket ended. */
export type KvmiCloseReason =
  | { kind: 'local'; message: string }
  | { kind: 'peerClosed' }
  | { kind: 'socketError'; message: string }
  | { kind: 'protocol'; error: KvmiDecodeError };

export function describeCloseReason(r: KvmiCloseReason): string {
  switch (r.kind) {
    case 'local': return r.message;
    case 'peerClosed': return 'the peer closed the connection';
    case 'socketError': return `socket error: ${r.message}`;
    case 'protocol': return `protocol error: ${r.error.message}`;
  }
}

/** The handshake did not complete: timeout, early close, or a structure the reader refuses. */
export class KvmiHandshakeError extends Error {
  override readonly name = 'KvmiHandshakeError';
}

/** Reads exact byte counts from a socket until detached; later bytes stay buffered for detach(). */
export class SocketByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended: string | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => { this.chunks.push(chunk); this.length += chunk.length; this.wake?.(); };
  private readonly onEnd = () => { this.ended ??= 'the peer closed the connection'; this.wake?.(); };
  private readonly onError = (e: Error) => { this.ended ??= `socket error: ${e.message}`; this.wake?.(); };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** Exactly `count` bytes, or KvmiHandshakeError when the deadline (ms since epoch) passes or the socket ends. */
  async read(count: number, deadline: number, what: string): Promise<Uint8Array> {
    while (this.length < count) {
      if (this.ended) throw new KvmiHandshakeError(`${what}: ${this.ended} after ${this.length} of ${count} bytes`);
      const left = deadline - Date.now();
      if (left <= 0) throw new KvmiHandshakeError(`${what}: timed out after ${this.length} of ${count} bytes`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
    const all = Buffer.concat(this.chunks, this.length);
    this.chunks = [all.subarray(count)];
    this.length -= count;
    return new Uint8Array(all.subarray(0, count));
  }

  /** Stops reading; returns the bytes received beyond the last read. */
  detach(): Uint8Array {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    return new Uint8Array(Buffer.concat(this.chunks, this.length));
  }
}

export interface FrameChannelHandlers {
  onFrame(frame: KvmiFrame): void;
  onClose(reason: KvmiCloseReason): void;
}

/** A socket carrying KVMI messages. onClose is called exactly once. */
export class KvmiFrameChannel {
  private readonly reader = new KvmiFrameReader();
  private closeReason: KvmiCloseReason | undefined;
  /** Reading stops while the peer does not take our output, or while the owner asks for it. */
  private writeBlocked = false;
  private held = false;

  /**
   * `stopReadingWhenBacklogged`: stop reading while our own output is not taken (the VMM side, so a
   * tool that does not read cannot make it buffer without bound). The tool side keeps reading, or
   * a tool that pipelines many commands would deadlock with a VMM doing the same.
   */
  constructor(private readonly socket: Socket, private readonly handlers: FrameChannelHandlers, private readonly stopReadingWhenBacklogged = false) {
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('end', () => this.close({ kind: 'peerClosed' }));
    socket.on('close', () => this.close({ kind: 'peerClosed' }));
    socket.on('error', (e) => this.close({ kind: 'socketError', message: e.message }));
    socket.on('drain', () => { this.writeBlocked = false; this.updateFlow(); });
  }

  /** Processes bytes that arrived before this channel took over the socket (after a handshake). */
  feed(leftover: Uint8Array): void {
    if (leftover.length > 0) this.receive(leftover);
  }

  get closed(): boolean { return this.closeReason !== undefined; }
  get reason(): KvmiCloseReason | undefined { return this.closeReason; }

  /** Writes one complete message; false once closed. */
  send(message: Uint8Array): boolean {
    if (this.closeReason) return false;
    if (!this.socket.write(message) && this.stopReadingWhenBacklogged) { this.writeBlocked = true; this.updateFlow(); }
    return true;
  }

  /**
   * Stops (true) or restarts (false) reading from the socket, so a peer that sends faster than
   * its messages are handled, or does not read what it is sent, cannot make this side buffer
   * without bound.
   */
  holdReading(hold: boolean): void {
    this.held = hold;
    this.updateFlow();
  }

  private updateFlow(): void {
    if (this.closeReason) return;
    if (this.writeBlocked || this.held) this.socket.pause(); else this.socket.resume();
  }

  /** Shuts the socket down (both directions) and reports `reason` unless already closed. */
  close(reason: KvmiCloseReason): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.socket.destroy();
    this.handlers.onClose(reason);
  }

  private receive(chunk: Uint8Array): void {
    if (this.closeReason) return;
    let frames: KvmiFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      if (e instanceof KvmiDecodeError) { this.close({ kind: 'protocol', error: e }); return; }
      throw e;
    }
    for (const frame of frames) {
      if (this.closeReason) return;
      this.handlers.onFrame(frame);
    }
  }
}
