// Checks a kvmi debug configuration before any debug adapter starts and returns it with every default
// filled in. It imports nothing from VS Code: the configuration provider calls it after variable
// substitution, and the unit tests call it directly. Every failure is an InvalidConfigurationError
// whose message tells the user what to change in launch.json.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidConfigurationError } from './configurationErrors';
import {
  cpuRange, engines, launchDefaults, memoryRangeMiB, serialOutputs,
  type AttachConfiguration, type Engine, type KvmiConfiguration, type LaunchConfiguration, type SerialOutput,
} from './configurationTypes';
import { readElfIdentity, whyNotX86 } from './elfHeader';
import { defaultKvmDevice, probeKvm } from './kvmDevice';
import { parseListenAddress } from './listenAddress';
import { describe, validateWatchpoints } from './watchpoints';

/** File names taken as raw (flat binary) guest images rather than ELF programs. */
export const rawImageExtensions = ['.bin', '.img', '.raw'];

export interface ValidationHost {
  /** Relative paths are resolved against this folder (the workspace folder). */
  baseDirectory?: string;
  /** The KVM device to probe when engine is "kvm" (default /dev/kvm). */
  kvmDevice?: string;
}

export function validateConfiguration(raw: Record<string, unknown>, host: ValidationHost = {}): KvmiConfiguration {
  if (raw.type !== undefined && raw.type !== 'kvmi') {
    throw new InvalidConfigurationError('type', `must be "kvmi", not ${describe(raw.type)}`);
  }
  if (raw.request === 'launch') return validateLaunch(raw, host);
  if (raw.request === 'attach') return validateAttach(raw, host);
  throw new InvalidConfigurationError('request', `must be "launch" (start a guest) or "attach" (wait for kvmi-vmm --introspect), not ${describe(raw.request)}`);
}

function validateLaunch(raw: Record<string, unknown>, host: ValidationHost): LaunchConfiguration {
  const guest = validateGuestPath(raw.guest, host, true);
  const guestFormat = validateGuestFormat(guest);
  const engine = validateEnum<Engine>(raw.engine, 'engine', engines, launchDefaults.engine);
  if (engine === 'kvm') {
    const kvm = probeKvm(host.kvmDevice ?? defaultKvmDevice);
    if (!kvm.usable) {
      throw new InvalidConfigurationError('engine', `is "kvm" but ${kvm.reason}. Use "engine": "auto" to fall back to the emulator, or "emulator".`);
    }
  }
  const memory = validateInteger(raw.memory, 'memory', memoryRangeMiB, launchDefaults.memory, 'MiB of guest RAM');
  if (guestFormat === 'raw' && statSync(guest).size > memory * 1024 * 1024) {
    throw new InvalidConfigurationError('memory', `is ${memory} MiB, smaller than the raw image ${guest} (${statSync(guest).size} bytes): raise "memory"`);
  }
  return {
    ...passThrough(raw, 'launch'),
    guest,
    guestFormat,
    engine,
    memory,
    cpus: validateInteger(raw.cpus, 'cpus', cpuRange, launchDefaults.cpus, 'virtual CPUs'),
    stopOnEntry: validateBoolean(raw.stopOnEntry, 'stopOnEntry', launchDefaults.stopOnEntry),
    serial: validateEnum<SerialOutput>(raw.serial, 'serial', serialOutputs, launchDefaults.serial),
    args: validateArgs(raw.args),
  };
}

function validateAttach(raw: Record<string, unknown>, host: ValidationHost): AttachConfiguration {
  parseListenAddress(raw.listen);
  const common = passThrough(raw, 'attach');
  const guest = raw.guest === undefined ? undefined : validateGuestPath(raw.guest, host, false);
  if (guest !== undefined) validateGuestFormat(guest);
  if (guest === undefined && common.watchpoints.some((w) => 'symbol' in w)) {
    throw new InvalidConfigurationError('guest', 'is needed to resolve symbol watchpoints when attaching: give the ELF the running guest was built from');
  }
  return { ...common, listen: raw.listen as string, ...(guest === undefined ? {} : { guest }) };
}

/** Attributes shared by launch and attach, plus whatever else VS Code put in the configuration. */
function passThrough<R extends 'launch' | 'attach'>(raw: Record<string, unknown>, request: R) {
  return {
    ...raw,
    type: 'kvmi' as const,
    request,
    name: typeof raw.name === 'string' ? raw.name : `KVMI ${request}`,
    watchpoints: validateWatchpoints(raw.watchpoints),
    sourceMap: validateSourceMap(raw.sourceMap),
  };
}

function validateGuestPath(value: unknown, host: ValidationHost, required: boolean): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidConfigurationError('guest', `${required ? 'is required: ' : ''}give the path of the guest ELF program or raw image (e.g. "\${workspaceFolder}/build/guest.elf"), not ${describe(value)}`);
  }
  const path = isAbsolute(value) ? value : resolve(host.baseDirectory ?? process.cwd(), value);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InvalidConfigurationError('guest', `names ${path}, which does not exist: build the guest first or correct the path`);
  }
  if (!isFile) throw new InvalidConfigurationError('guest', `names ${path}, which is not a regular file`);
  return path;
}

/** ELF files must be x86 or x86-64; anything else must be named as a raw image. */
function validateGuestFormat(path: string): 'elf' | 'raw' {
  let identity;
  try {
    identity = readElfIdentity(path);
  } catch (error) {
    throw new InvalidConfigurationError('guest', `names ${path}, which cannot be read: ${(error as Error).message}`);
  }
  if (identity.kind === 'elf') {
    const problem = whyNotX86(identity);
    if (problem) throw new InvalidConfigurationError('guest', `names ${path}, which ${problem}: rebuild it for x86 or x86-64`);
    return 'elf';
  }
  if (rawImageExtensions.some((ext) => path.toLowerCase().endsWith(ext))) {
    if (statSync(path).size === 0) throw new InvalidConfigurationError('guest', `names ${path}, an empty raw image`);
    return 'raw';
  }
  throw new InvalidConfigurationError('guest', `names ${path}, which is not an ELF file; raw guest images must be named *${rawImageExtensions.join(', *')}`);
}

function validateEnum<T extends string>(value: unknown, attribute: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidConfigurationError(attribute, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, not ${describe(value)}`);
}

function validateInteger(value: unknown, attribute: string, range: { min: number; max: number }, fallback: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) return value;
  throw new InvalidConfigurationError(attribute, `must be a whole number of ${unit} from ${range.min} to ${range.max}, not ${describe(value)}`);
}

function validateBoolean(value: unknown, attribute: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new InvalidConfigurationError(attribute, `must be true or false, not ${describe(value)}`);
}

function validateArgs(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((arg) => typeof arg === 'string')) return value;
  throw new InvalidConfigurationError('args', `must be a string or an array of strings (the guest's command line), not ${describe(value)}`);
}

function validateSourceMap(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)
    && Object.values(value).every((target) => typeof target === 'string')) {
    return value as Record<string, string>;
  }
  throw new InvalidConfigurationError('sourceMap', `must map build-time path prefixes to local ones, e.g. { "/build/src": "\${workspaceFolder}/src" }, not ${describe(value)}`);
}
