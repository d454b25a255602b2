// The introspection tool's listening side (KVMI reference §1.1: the tool listens, the VMM connects):
// listen(addr) opens "unix:PATH" (socket file mode 0600, owner only) or "tcp:HOST:PORT" (loopback
// unless a host is written out), and accept() resolves with the next VMM that completes the
// handshake as a KvmiConnection. Every peer is handshaken as soon as it connects; those that fail
// are dropped and reported.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { KvmiHandshakeError } from '../../vmm/kvmi/socketStream';
import { formatKvmiAddress, parseKvmiAddress, type KvmiAddress } from '../../vmm/kvmi/transportAddress';
import { performClientHandshake } from './clientHandshake';
import { KvmiConnection } from './kvmiConnection';
import { KvmiClosedError, KvmiTimeoutError } from './kvmiErrors';

export interface ListenOptions {
  /** Cookie secret; its SHA-1 goes into the handshake answer. */
  key?: Uint8Array | string;
  handshakeTimeoutMs?: number;
  commandTimeoutMs?: number;
  /**
   * Called with each new connection before the handshake answer is flushed: commands it sends
   * synchronously leave in the same write as the answer (e.g. PAUSE_VCPU before the guest starts).
   */
  onOpen?: (connection: KvmiConnection) => void;
  /** Called for each peer that connected but failed the handshake. */
  onRejectedPeer?: (error: Error) => void;
}

/** The socket file is in use by a live listener, or cannot be replaced. */
export class KvmiListenError extends Error {
  override readonly name = 'KvmiListenError';
}

const OWNER_ONLY = 0o600;

/** Removes a stale socket file left by a listener that died; refuses if one still answers. */
async function clearStaleSocket(path: string): Promise<void> {
  let stat;
  try { stat = lstatSync(path); } catch { return; }
  if (!stat.isSocket()) throw new KvmiListenError(`${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path }, () => { probe.destroy(); resolve(true); });
    probe.on('error', () => resolve(false));
  });
  if (alive) throw new KvmiListenError(`another process is listening on ${path}`);
  unlinkSync(path);
}

export class KvmiListener {
  /** Connections that completed the handshake and wait for accept(). */
  private readonly ready: KvmiConnection[] = [];
  /** Sockets still in the handshake (each runs on its own, so a silent peer blocks no one). */
  private readonly handshaking = new Set<Socket>();
  private readonly waiters: Array<{ resolve(c: KvmiConnection): void; reject(e: Error): void }> = [];
  private closedFlag = false;

  private constructor(readonly address: KvmiAddress, private readonly server: Server, private readonly options: ListenOptions) {
    server.on('connection', (socket) => this.onConnection(socket));
  }

  /** Starts listening; rejects with KvmiAddressError or KvmiListenError. */
  static async listen(addressText: string | KvmiAddress, options: ListenOptions = {}): Promise<KvmiListener> {
    const address = typeof addressText === 'string' ? parseKvmiAddress(addressText) : addressText;
    const server = createServer();
    if (address.kind === 'unix') {
      await clearStaleSocket(address.path);
      const previous = process.umask(0o177);
      try {
        await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(address.path, () => { server.off('error', reject); resolve(); }); });
      } finally {
        process.umask(previous);
      }
      chmodSync(address.path, OWNER_ONLY);
      return new KvmiListener(address, server, options);
    }
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(address.port, address.host, () => { server.off('error', reject); resolve(); }); });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : address.port;
    return new KvmiListener({ ...address, port }, server, options);
  }

  /** The address as "unix:PATH" / "tcp:HOST:PORT" (the real port when 0 was asked for). */
  get text(): string { return formatKvmiAddress(this.address); }

  /** The next VMM that completes the handshake. */
  accept(timeoutMs?: number): Promise<KvmiConnection> {
    if (this.closedFlag) return Promise.reject(new KvmiClosedError('the listener is closed'));
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new KvmiTimeoutError(`no VMM connected to ${this.text} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        resolve: (c: KvmiConnection) => { clearTimeout(timer); resolve(c); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      };
      const ready = this.ready.shift();
      if (ready) waiter.resolve(ready); else this.waiters.push(waiter);
    });
  }

  /** Stops listening (removing the socket file); connections already accepted stay open. */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const w of this.waiters.splice(0)) w.reject(new KvmiClosedError('the listener was closed'));
    for (const c of this.ready.splice(0)) c.close('the listener was closed');
    for (const s of this.handshaking) s.destroy();
    // server.close() stops accepting at once; its callback would wait for the accepted connections.
    this.server.close();
  }

  private onConnection(socket: Socket): void {
    if (this.closedFlag) { socket.destroy(); return; }
    this.handshaking.add(socket);
    this.handshake(socket).then((connection) => {
      this.handshaking.delete(socket);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(connection); else this.ready.push(connection);
    }, (e: Error) => {
      this.handshaking.delete(socket);
      socket.destroy();
      if (!this.closedFlag) this.options.onRejectedPeer?.(e);
    });
  }

  private async handshake(socket: Socket): Promise<KvmiConnection> {
    const { info, leftover } = await performClientHandshake(socket, this.options.key, this.options.handshakeTimeoutMs ?? 10_000);
    try {
      if (this.closedFlag) throw new KvmiHandshakeError('the listener was closed during the handshake');
      const connection = new KvmiConnection(socket, leftover, { commandTimeoutMs: this.options.commandTimeoutMs });
      connection.vm = info;
      this.options.onOpen?.(connection);
      return connection;
    } finally {
      socket.uncork();
    }
  }
}

/** Listens on `addr` ("unix:PATH" or "tcp:HOST:PORT"). */
export function listen(addr: string | KvmiAddress, options: ListenOptions = {}): Promise<KvmiListener> {
  return KvmiListener.listen(addr, options);
}
