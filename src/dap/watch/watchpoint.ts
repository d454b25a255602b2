// A user watchpoint: a byte range of guest memory and the kinds of access that stop the guest,
// with its condition, hit condition and log message. The range is kept both as the user gave it
// and as the guest-physical pieces it covers (one per 4 KiB frame), which is what KVMI restricts.
import { PAGE_R, PAGE_W, PAGE_X } from '../target';

export type WatchAccess = 'read' | 'write' | 'readWrite' | 'execute';
/** Where `address` lives: guest-virtual (translated once, when set) or guest-physical. */
export type AddressSpace = 'virtual' | 'physical';

export const PAGE_SIZE = 0x1000n;

/** A contiguous guest-physical byte range inside one frame. */
export interface PhysicalPiece { gpa: bigint; length: number }

/**
 * Which request made it: it decides the DAP stop reason and which request replaces it.
 * 'stepReturn' is the adapter's own: the return address a step over a call runs to.
 */
export type WatchpointOrigin = 'data' | 'instruction' | 'source' | 'custom' | 'stepReturn';

export interface WatchpointSpec {
  origin: WatchpointOrigin;
  address: bigint;
  length: number;
  access: WatchAccess;
  space: AddressSpace;
  /** What the user called it: a symbol, an expression or the address. */
  label: string;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface Watchpoint extends WatchpointSpec {
  id: number;
  pieces: PhysicalPiece[];
  /** Matching accesses so far (before the hit condition is applied). */
  hits: number;
}

/** KVMI page-access bits a watchpoint must clear so its accesses fault (reference section 5). */
export function deniedBits(access: WatchAccess): number {
  switch (access) {
    case 'read': return PAGE_R;
    case 'write': return PAGE_W;
    case 'readWrite': return PAGE_R | PAGE_W;
    case 'execute': return PAGE_X;
  }
}

export function accessName(bit: number): 'read' | 'write' | 'execute' {
  return bit === PAGE_W ? 'write' : bit === PAGE_X ? 'execute' : 'read';
}

export function frameOf(gpa: bigint): bigint { return gpa & ~(PAGE_SIZE - 1n); }

/** Splits [address, address+length) at frame boundaries: [start, length] for each page. */
export function splitAtPages(address: bigint, length: number): { start: bigint; length: number }[] {
  const out: { start: bigint; length: number }[] = [];
  let at = address;
  let left = BigInt(length);
  while (left > 0n) {
    const room = PAGE_SIZE - (at & (PAGE_SIZE - 1n));
    const take = left < room ? left : room;
    out.push({ start: at, length: Number(take) });
    at += take;
    left -= take;
  }
  return out;
}
