// The adapter's own DAP requests, defined once for both sides: the adapter handles them and the
// extension's gutter and view commands send them (`session.customRequest(name, args)`). Each
// request lists its arguments and its response body.
import type { WatchAccess } from '../watch/watchpoint';

export const CustomRequest = {
  /** Adds a watchpoint on a source line's variables, a symbol or an address range. */
  addWatchpoint: 'kvmi/addWatchpoint',
  removeWatchpoint: 'kvmi/removeWatchpoint',
  listWatchpoints: 'kvmi/listWatchpoints',
  /** Counters: filtered accesses and the restricted frames. */
  statistics: 'kvmi/statistics',
} as const;

/** Exactly one of `symbol`, `address` (with `size`) or `source`+`line` names the memory. */
export interface AddWatchpointArguments {
  symbol?: string;
  /** "0x..." guest-virtual, or "phys:0x..." guest-physical. */
  address?: string;
  size?: number;
  /** A source file and line: watches the variables declared on that line. */
  source?: string;
  line?: number;
  access: WatchAccess;
  condition?: string;
  hitCondition?: string;
  /** Print this (with {expression} parts) and continue instead of stopping. */
  logMessage?: string;
}

export interface WatchpointDescription {
  id: number;
  label: string;
  /** "0x..." or "phys:0x...". */
  address: string;
  size: number;
  access: WatchAccess;
  hits: number;
  /** Guest-physical frames the watchpoint covers. */
  frames: string[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface AddWatchpointResponse { watchpoints: WatchpointDescription[] }
export interface RemoveWatchpointArguments { id: number }
export interface RemoveWatchpointResponse { removed: boolean }
export interface ListWatchpointsResponse { watchpoints: WatchpointDescription[] }
export interface StatisticsResponse {
  /** Accesses to watched frames outside every watched byte range, continued without a stop. */
  filteredAccesses: number;
  filteredByAccess: { read: number; write: number; execute: number };
  restrictedFrames: { frame: string; access: string }[];
}
