// The VMM as a KVMI host: connects to the introspection tool (the tool listens; KVMI reference
// §1.1), runs the QEMU-style handshake, serves the tool with a KvmiSession, and after a disconnect
// connects again when --introspect-reconnect is set. Engine events go to the current session, or
// are answered CONTINUE when no tool is attached, so the guest never waits for a tool that is gone.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Vm } from '../engine/engine';
import { describeCloseReason, type KvmiCloseReason } from '../kvmi/socketStream';
import { formatKvmiAddress } from '../kvmi/transportAddress';
import { continueUnchanged } from './engineEvents';
import { GuestStartGate } from './guestStartGate';
import { performHostHandshake, type VmIdentity } from './hostHandshake';
import type { IntrospectionOptions } from './introspectionOptions';
import { KvmiPermissions } from './kvmiPermissions';
import { KvmiSession } from './kvmiSession';

/** The first connection or handshake failed and no reconnect was asked for. */
export class IntrospectionConnectError extends Error {
  override readonly name = 'IntrospectionConnectError';
}

export type PreUnhookResult = 'unhooked' | 'notEnabled' | 'notConnected';

export interface IntrospectionHandle {
  readonly permissions: KvmiPermissions;
  /** The session currently served, if a tool is attached. */
  readonly session: KvmiSession | undefined;
  /** Number of tools that completed the handshake so far. */
  readonly sessionsStarted: number;
  /**
   * Starts the machine with every vCPU paused, then lets the `run` vCPUs go (default: the boot
   * vCPU 0); one the tool already asked to pause runs once that PAUSE event is answered.
   */
  startGuest(machine: { start(options: { paused: boolean }): Promise<void> }, run?: readonly number[]): Promise<void>;
  /** Resolves when the next tool completes the handshake (now, if one is attached). */
  nextSession(): Promise<KvmiSession>;
  /**
   * KVM_INTROSPECTION_PREUNHOOK: UNHOOK event, then wait for the tool to close; after `timeoutMs`
   * (default: the unhookTimeoutMs option) the host closes the socket itself.
   */
  preUnhook(timeoutMs?: number): Promise<PreUnhookResult>;
  /** Stops reconnecting and unhooks the current tool. */
  close(): Promise<void>;
}

export interface IntrospectionHooks {
  log?: (message: string) => void;
  identity?: Partial<VmIdentity>;
}

function uuidBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(randomUUID().replace(/-/g, ''), 'hex'));
}

function openSocket(options: IntrospectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const a = options.address;
    const socket = a.kind === 'unix' ? connect({ path: a.path }) : connect({ host: a.host, port: a.port });
    socket.once('connect', () => { socket.off('error', reject); resolve(socket); });
    socket.once('error', reject);
  });
}

class IntrospectionHost implements IntrospectionHandle {
  readonly permissions: KvmiPermissions;
  session: KvmiSession | undefined;
  sessionsStarted = 0;
  private readonly gate: GuestStartGate;
  private readonly identity: VmIdentity;
  private readonly log: (message: string) => void;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Array<(s: KvmiSession) => void> = [];

  constructor(private readonly vm: Vm, private readonly options: IntrospectionOptions, hooks: IntrospectionHooks) {
    this.permissions = new KvmiPermissions({ commands: options.deniedCommands, events: options.deniedEvents });
    this.gate = new GuestStartGate(vm);
    this.log = hooks.log ?? ((m) => process.stderr.write(`kvmi-vmm: ${m}\n`));
    this.identity = {
      uuid: hooks.identity?.uuid ?? uuidBytes(),
      startTime: hooks.identity?.startTime ?? BigInt(Date.now()),
      name: hooks.identity?.name ?? 'kvmi-vmm',
      maxGpa: hooks.identity?.maxGpa ?? BigInt(vm.ram.length),
    };
    vm.onEvent((event) => (this.session && !this.session.closed ? this.session.deliverEngineEvent(event) : continueUnchanged(event)));
    void vm.finished.then(() => { void this.close(); });
  }

  /** One connection attempt: connect, handshake, serve. Rejects if it never got to a session. */
  async attach(): Promise<KvmiSession> {
    const socket = await openSocket(this.options);
    let leftover: Uint8Array;
    try {
      leftover = await performHostHandshake(socket, this.identity, this.options.key, this.options.handshakeTimeoutMs);
    } catch (e) {
      socket.destroy();
      throw e;
    }
    if (this.closing) { socket.destroy(); throw new IntrospectionConnectError('introspection was closed during the handshake'); }
    const session = new KvmiSession({ vm: this.vm, permissions: this.permissions, gate: this.gate, log: this.log }, socket, leftover);
    this.session = session;
    this.sessionsStarted++;
    await session.idle();
    for (const w of this.waiters.splice(0)) w(session);
    void session.ended.then((reason) => this.onSessionEnd(session, reason));
    return session;
  }

  /** Keeps trying every reconnectSeconds until a tool is attached (or introspection is closed). */
  async attachWithRetry(): Promise<void> {
    const delayMs = (this.options.reconnectSeconds ?? 1) * 1000;
    while (!this.closing) {
      try {
        await this.attach();
        return;
      } catch (e) {
        this.log(`introspection: no tool at ${formatKvmiAddress(this.options.address)} (${(e as Error).message}); retrying in ${delayMs / 1000} s`);
        await new Promise<void>((resolve) => { this.retryTimer = setTimeout(resolve, delayMs); });
      }
    }
  }

  private onSessionEnd(session: KvmiSession, reason: KvmiCloseReason): void {
    if (this.session === session) this.session = undefined;
    if (reason.kind !== 'peerClosed' && reason.kind !== 'local') this.log(`introspection: tool detached: ${describeCloseReason(reason)}`);
    if (!this.closing && this.options.reconnectSeconds !== undefined) void this.attachWithRetry();
  }

  async startGuest(machine: { start(options: { paused: boolean }): Promise<void> }, run: readonly number[] = [0]): Promise<void> {
    await machine.start({ paused: true });
    await this.gate.release(run, (v) => this.session?.vcpus[v].hasJobs() ?? false);
  }

  nextSession(): Promise<KvmiSession> {
    if (this.session && !this.session.closed) return Promise.resolve(this.session);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async preUnhook(timeoutMs = this.options.unhookTimeoutMs): Promise<PreUnhookResult> {
    const session = this.session;
    if (!session || session.closed) return 'notConnected';
    if (!session.sendUnhookEvent()) return 'notEnabled';
    const timer = setTimeout(() => session.close('the tool did not close the socket within the unhook timeout'), timeoutMs);
    await session.ended;
    clearTimeout(timer);
    return 'unhooked';
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const session = this.session;
    if (session) { session.close('the VMM ended introspection'); await session.ended; }
  }
}

/**
 * Starts introspection for `vm` (call before the machine starts, then use startGuest). Resolves once
 * the first tool has completed the handshake and its first messages have been answered. Without
 * --introspect-reconnect a failed first connection rejects with IntrospectionConnectError; with it,
 * the host keeps retrying until a tool appears.
 */
export async function startIntrospection(vm: Vm, options: IntrospectionOptions, hooks: IntrospectionHooks = {}): Promise<IntrospectionHandle> {
  const host = new IntrospectionHost(vm, options, hooks);
  if (options.reconnectSeconds !== undefined) {
    await host.attachWithRetry();
    return host;
  }
  try {
    await host.attach();
  } catch (e) {
    throw new IntrospectionConnectError(`cannot attach the introspection tool at ${formatKvmiAddress(options.address)}: ${(e as Error).message}`);
  }
  return host;
}
