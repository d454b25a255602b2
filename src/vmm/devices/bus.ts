// The port-I/O and MMIO buses: range maps from guest addresses to device models. A device sees
// an offset into its own range, never the absolute address. Overlapping registrations are refused
// with a typed BusError. Unclaimed reads return all-ones of the access width and unclaimed writes
// are dropped (the ISA "floating bus" rule); both are reported to an optional debug logger.

/** Width of one device access in bytes. */
export type AccessSize = 1 | 2 | 4;

/** A device model reachable on a bus; `offset` is relative to the start of its range. */
export interface BusDevice {
  readonly name: string;
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
}

export type BusErrorKind = 'overlap' | 'zeroSizedRange' | 'invalidRange';

/** A refused registration on a bus. */
export class BusError extends Error {
  constructor(readonly kind: BusErrorKind, message: string) {
    super(message);
    this.name = 'BusError';
  }
}

/** Receives unclaimed accesses when the VMM's device debug flag is on. */
export type UnclaimedLogger = (bus: string, dir: 'read' | 'write', address: number, size: AccessSize, value?: number) => void;

export interface BusRange { base: number; length: number; device: BusDevice }

const hex = (n: number) => `0x${n.toString(16)}`;

/** All-ones for an unclaimed read of `size` bytes. */
export function allOnes(size: AccessSize): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

/** A bus of non-overlapping ranges, looked up by address. */
export class Bus {
  private readonly ranges: BusRange[] = [];
  logUnclaimed: UnclaimedLogger | undefined;

  constructor(readonly name: string, private readonly limit: number) {}

  /** Registers `device` on [base, base+length); throws BusError on a bad or overlapping range. */
  insert(base: number, length: number, device: BusDevice): void {
    if (length === 0) throw new BusError('zeroSizedRange', `${this.name} bus: ${device.name} asks for an empty range at ${hex(base)}`);
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(length) || base < 0 || length < 0 || base + length > this.limit) {
      throw new BusError('invalidRange', `${this.name} bus: range ${hex(base)}+${hex(length)} for ${device.name} lies outside 0..${hex(this.limit - 1)}`);
    }
    const clash = this.ranges.find((r) => base < r.base + r.length && r.base < base + length);
    if (clash) {
      throw new BusError('overlap', `${this.name} bus: ${device.name} at ${hex(base)}-${hex(base + length - 1)} overlaps ${clash.device.name} at ${hex(clash.base)}-${hex(clash.base + clash.length - 1)}`);
    }
    const range: BusRange = { base, length, device };
    this.ranges.push(range);
    this.ranges.sort((a, b) => a.base - b.base);
    this.onInsert(range);
  }

  /** The device owning `address` and the offset into its range, if any. */
  find(address: number): { device: BusDevice; offset: number } | undefined {
    const range = this.lookup(address);
    return range ? { device: range.device, offset: address - range.base } : undefined;
  }

  read(address: number, size: AccessSize): number {
    const range = this.lookup(address);
    if (range) return range.device.read(address - range.base, size);
    this.logUnclaimed?.(this.name, 'read', address, size);
    return allOnes(size);
  }

  write(address: number, size: AccessSize, value: number): void {
    const range = this.lookup(address);
    if (range) range.device.write(address - range.base, size, value);
    else this.logUnclaimed?.(this.name, 'write', address, size, value);
  }

  /** Hook for subclasses keeping a faster index. */
  protected onInsert(_range: BusRange): void {}

  protected lookup(address: number): BusRange | undefined {
    for (const r of this.ranges) {
      if (address < r.base) return undefined;
      if (address < r.base + r.length) return r;
    }
    return undefined;
  }
}

/** The 64 KiB x86 I/O port space, with a per-port index so each IN/OUT is one array load. */
export class PortBus extends Bus {
  private readonly byPort: (BusRange | undefined)[] = new Array(0x10000).fill(undefined);

  constructor() { super('port', 0x10000); }

  protected override onInsert(range: BusRange): void {
    for (let p = range.base; p < range.base + range.length; p++) this.byPort[p] = range;
  }

  protected override lookup(address: number): BusRange | undefined {
    return this.byPort[address & 0xffff];
  }
}

/** Guest-physical MMIO space (addresses not backed by RAM). */
export class MmioBus extends Bus {
  constructor() { super('mmio', 2 ** 52); }
}
