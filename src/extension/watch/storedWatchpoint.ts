// A watchpoint as the extension keeps it between sessions (workspaceState): a guest-virtual range,
// the access that stops the guest, where it came from, and what the running adapter knows about it
// (its id and hit count, from kvmi/listWatchpoints). Plain data, no VS Code types.
import type { WatchAccess } from '../configurationTypes';

export interface StoredWatchpoint {
  /** Extension-side identity, stable across sessions. */
  key: string;
  label: string;
  /** "0x..." guest-virtual address of the first watched byte. */
  address: string;
  size: number;
  access: WatchAccess;
  enabled: boolean;
  condition?: string;
  /** Guest ELF the address was resolved against. */
  guest?: string;
  /** Source line the watch was set from (absolute path, 1-based line); where its gutter icon goes. */
  source?: { path: string; line: number };
  /** Stops caused in the current (or last) session. */
  hits: number;
  /** Adapter-side id while a session runs. */
  adapterId?: number;
}

export const accessWords: Record<WatchAccess, string> = {
  read: 'reads', write: 'writes', readWrite: 'reads and writes', execute: 'execution',
};

export function formatAddress(address: bigint): string {
  return `0x${address.toString(16)}`;
}

/** Hover and tooltip text: "guard: writes to 0x116010..0x11602f (32 bytes), 1 hit". */
export function describeWatchpoint(w: StoredWatchpoint): string {
  const end = formatAddress(BigInt(w.address) + BigInt(w.size) - 1n);
  const hits = `${w.hits} hit${w.hits === 1 ? '' : 's'}`;
  const condition = w.condition ? `, when ${w.condition}` : '';
  const state = w.enabled ? '' : ' (disabled)';
  return `${w.label}: ${accessWords[w.access]} at ${w.address}..${end} (${w.size} byte${w.size === 1 ? '' : 's'})${condition}, ${hits}${state}`;
}

/** Same range and access: the adapter reports watchpoints by range, so this is how the two sides meet. */
export function sameRange(a: { address: string; size: number; access: WatchAccess }, b: { address: string; size: number; access: WatchAccess }): boolean {
  return BigInt(a.address) === BigInt(b.address) && a.size === b.size && a.access === b.access;
}
