// Checks `launch` and `attach` arguments before anything starts and turns them into typed
// settings; every problem is a ConfigurationError naming the attribute and what to change
// (missing guest, not an x86 ELF, KVM requested but unusable, socket already in use, ...).
import { accessSync, constants, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { parseKvmiAddress, type KvmiAddress } from '../../vmm/kvmi/transportAddress';
import type { WatchAccess } from '../watch/watchpoint';
import { parseHitCondition } from '../watch/hitConditions';

export class ConfigurationError extends Error {
  constructor(readonly attribute: string, message: string) {
    super(`"${attribute}" ${message}`);
    this.name = 'ConfigurationError';
  }
}

export type Engine = 'auto' | 'kvm' | 'emulator';

/**
 * A watchpoint from the configuration: by address (with size) or by symbol, with the same filters
 * a data breakpoint has: a condition (an expression of src/dap/eval, true when non-zero), a hit
 * condition ("N", ">N", "%N", ...) and a log message that replaces the stop.
 */
export interface ConfiguredWatchpoint {
  address?: bigint;
  symbol?: string;
  size?: number;
  access: WatchAccess;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface LaunchSettings {
  kind: 'launch';
  guest: string;
  engine: Engine;
  memory: number;
  cpus: number;
  stopOnEntry: boolean;
  serial: 'debugConsole' | 'terminal';
  watchpoints: ConfiguredWatchpoint[];
}

export interface AttachSettings {
  kind: 'attach';
  listen: KvmiAddress;
  listenText: string;
  guest: string | undefined;
  watchpoints: ConfiguredWatchpoint[];
}

const ACCESSES: readonly WatchAccess[] = ['read', 'write', 'readWrite', 'execute'];

export function launchSettings(args: Record<string, unknown>, kvmDevice = '/dev/kvm'): LaunchSettings {
  const guest = checkGuest(args.guest, true)!;
  const engine = oneOf(args.engine, 'engine', ['auto', 'kvm', 'emulator'] as const, 'auto');
  if (engine === 'kvm') {
    const why = kvmUnusable(kvmDevice);
    if (why) throw new ConfigurationError('engine', `is "kvm" but ${why}; use "auto" or "emulator"`);
  }
  return {
    kind: 'launch', guest, engine,
    memory: integer(args.memory, 'memory', 1, 65536, 128),
    cpus: integer(args.cpus, 'cpus', 1, 64, 1),
    stopOnEntry: args.stopOnEntry === undefined ? false : bool(args.stopOnEntry, 'stopOnEntry'),
    serial: oneOf(args.serial, 'serial', ['debugConsole', 'terminal'] as const, 'debugConsole'),
    watchpoints: watchpoints(args.watchpoints),
  };
}

export async function attachSettings(args: Record<string, unknown>): Promise<AttachSettings> {
  if (typeof args.listen !== 'string') throw new ConfigurationError('listen', 'is required: "unix:PATH" or "tcp:HOST:PORT"');
  let listen: KvmiAddress;
  try { listen = parseKvmiAddress(args.listen); } catch (error) { throw new ConfigurationError('listen', (error as Error).message); }
  if (listen.kind === 'unix' && existsSync(listen.path) && await somebodyListens(listen.path)) {
    throw new ConfigurationError('listen', `socket ${listen.path} is already in use by another program`);
  }
  return { kind: 'attach', listen, listenText: args.listen, guest: checkGuest(args.guest, false), watchpoints: watchpoints(args.watchpoints) };
}

function checkGuest(value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw new ConfigurationError('guest', 'is required: the path of the guest ELF program');
  if (!existsSync(value)) throw new ConfigurationError('guest', `names ${value}, which does not exist`);
  if (!statSync(value).isFile()) throw new ConfigurationError('guest', `names ${value}, which is not a file`);
  const header = Buffer.alloc(20);
  const fd = openSync(value, 'r');
  try { readSync(fd, header, 0, 20, 0); } finally { closeSync(fd); }
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new ConfigurationError('guest', `names ${value}, which is not an ELF file`);
  const machine = header.readUInt16LE(18);
  if (machine !== 3 && machine !== 62) throw new ConfigurationError('guest', `names ${value}, an ELF for machine ${machine}, not x86 or x86-64`);
  return value;
}

/** Why /dev/kvm cannot be used, or undefined when it can. */
export function kvmUnusable(device: string): string | undefined {
  if (!existsSync(device)) return `${device} does not exist (no KVM on this host)`;
  try { accessSync(device, constants.R_OK | constants.W_OK); } catch { return `${device} is not readable and writable by this user`; }
  return undefined;
}

function somebodyListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(name, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, not ${JSON.stringify(value)}`);
}

function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigurationError(name, `must be true or false, not ${JSON.stringify(value)}`);
  return value;
}

function watchpoints(value: unknown): ConfiguredWatchpoint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigurationError('watchpoints', 'must be an array');
  return value.map((raw: unknown, i) => {
    const w = raw as Record<string, unknown>;
    const where = `watchpoints[${i}]`;
    const access = oneOf(w?.access, `${where}.access`, ACCESSES, 'write');
    const size = w.size === undefined ? undefined : integer(w.size, `${where}.size`, 1, 2 ** 31, 1);
    const filters = hitFilters(w, where);
    if (typeof w.symbol === 'string' && w.symbol !== '') return { symbol: w.symbol, size, access, ...filters };
    const address = typeof w.address === 'number' ? BigInt(w.address)
      : typeof w.address === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(w.address) ? BigInt(w.address) : undefined;
    if (address === undefined) throw new ConfigurationError(where, 'needs "symbol", or "address" (0x... or a number) with "size"');
    if (size === undefined) throw new ConfigurationError(`${where}.size`, 'is required with "address"');
    return { address, size, access, ...filters };
  });
}

/** The optional condition, hit condition and log message of a configured watchpoint. */
function hitFilters(w: Record<string, unknown>, where: string): Pick<ConfiguredWatchpoint, 'condition' | 'hitCondition' | 'logMessage'> {
  const filters: Pick<ConfiguredWatchpoint, 'condition' | 'hitCondition' | 'logMessage'> = {};
  for (const key of ['condition', 'hitCondition', 'logMessage'] as const) {
    const value = w[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigurationError(`${where}.${key}`, `must be a non-empty string, not ${JSON.stringify(value)}`);
    filters[key] = value;
  }
  if (filters.hitCondition !== undefined) {
    try { parseHitCondition(filters.hitCondition); } catch (error) { throw new ConfigurationError(`${where}.hitCondition`, (error as Error).message); }
  }
  return filters;
}
