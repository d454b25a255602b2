// Shapes of the kvmi debug configurations after validation. They mirror the configurationAttributes
// schema of package.json (the debug adapter receives exactly these attributes), with every default
// filled in so that the adapter never has to guess.

export type Engine = 'auto' | 'kvm' | 'emulator';
export type WatchAccess = 'read' | 'write' | 'readWrite' | 'execute';
export type SerialOutput = 'debugConsole' | 'terminal';

export const engines: readonly Engine[] = ['auto', 'kvm', 'emulator'];
export const watchAccesses: readonly WatchAccess[] = ['read', 'write', 'readWrite', 'execute'];
export const serialOutputs: readonly SerialOutput[] = ['debugConsole', 'terminal'];

/**
 * A watchpoint set when the session starts: a guest address (normalised to a "0x..." hex string, since
 * x86-64 addresses do not fit a JSON number) with a size in bytes, or an ELF symbol whose size defaults
 * to the symbol's own size.
 */
export type WatchpointSpec =
  | { address: string; size: number; access: WatchAccess }
  | { symbol: string; size?: number; access: WatchAccess };

/** Where the debug adapter listens for a kvmi-vmm started with --introspect. */
export type ListenAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number };

interface CommonAttributes {
  type: 'kvmi';
  name: string;
  watchpoints: WatchpointSpec[];
  /** Compile-time source path prefix -> local path prefix. */
  sourceMap: Record<string, string>;
}

export interface LaunchConfiguration extends CommonAttributes {
  request: 'launch';
  guest: string;
  guestFormat: 'elf' | 'raw';
  engine: Engine;
  memory: number;
  cpus: number;
  stopOnEntry: boolean;
  serial: SerialOutput;
  args: string[];
}

export interface AttachConfiguration extends CommonAttributes {
  request: 'attach';
  listen: string;
  /** ELF holding the running guest's symbols; needed by symbol watchpoints. */
  guest?: string;
}

export type KvmiConfiguration = LaunchConfiguration | AttachConfiguration;

export const launchDefaults = {
  engine: 'auto' as Engine,
  memory: 128,
  cpus: 1,
  stopOnEntry: false,
  serial: 'debugConsole' as SerialOutput,
  watchAccess: 'write' as WatchAccess,
};

/** Bounds of the launch attributes (MiB and vCPU count). */
export const memoryRangeMiB = { min: 1, max: 65536 };
export const cpuRange = { min: 1, max: 64 };
